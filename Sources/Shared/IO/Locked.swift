#if canImport(Glibc)
import Glibc
#endif

/// A value guarded by a `pthread_mutex_t`.
///
/// `Synchronization.Mutex` would do, but on Linux it locks through raw futex calls that
/// ThreadSanitizer cannot see, so every guarded access shows up as a race in `--sanitize=thread`
/// runs. pthread mutexes are intercepted, so this keeps the sanitizer's reports meaningful.
public final class Locked<Value>: @unchecked Sendable {
    // Safety of @unchecked Sendable: `value` is only reached inside `withLock`, under `mutex`.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var value: Value

    public init(_ value: Value) {
        self.value = value
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    public func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
