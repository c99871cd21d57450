import Runtime

/// A value guarded by a pthread mutex (a `Condition` nobody waits on).
///
/// `Synchronization.Mutex` would do, but on Linux it locks through raw futex calls that
/// ThreadSanitizer cannot see, so every guarded access shows up as a race in `--sanitize=thread`
/// runs. pthread mutexes are intercepted, so this keeps the sanitizer's reports meaningful.
public final class Locked<Value>: @unchecked Sendable {
    // Safety of @unchecked Sendable: `value` is only reached inside `withLock`, under `lock`.
    private let lock = Condition()
    private var value: Value

    public init(_ value: Value) { self.value = value }

    public func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        try lock.withLock { try body(&value) }
    }
}
