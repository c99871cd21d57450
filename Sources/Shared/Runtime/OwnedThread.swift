#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// A POSIX thread we own and can join: event loops and workers run on these, never on Swift's
/// cooperative pool (it has one thread per core and must not block).
public final class OwnedThread: Sendable {
    private final class Start {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }

    private let handle: pthread_t
    private let joined = Atomic<Bool>(false)

    /// Starts `body` on a new thread named `name` (the kernel keeps the first 15 bytes).
    public init(name: String, _ body: @escaping @Sendable () -> Void) {
        let start = Unmanaged.passRetained(Start(body)).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(&thread, nil, { arg in
            Unmanaged<Start>.fromOpaque(arg!).takeRetainedValue().body()
            return nil
        }, start)
        precondition(rc == 0, "pthread_create failed: \(rc)")
        _ = setThreadName(thread, String(name.utf8.prefix(15))!)
        handle = thread
    }

    /// Waits for the thread to finish. Only the first call joins; later calls return at once.
    public func join() {
        guard !joined.exchange(true, ordering: .acquiringAndReleasing) else { return }
        pthread_join(handle, nil)
    }

    /// True when called on this thread.
    public var isCurrent: Bool { pthread_equal(pthread_self(), handle) != 0 }
}

// pthread_setname_np is declared only under _GNU_SOURCE, which the Glibc module is built without;
// its C signature is stable, so bind to the symbol directly.
@_silgen_name("pthread_setname_np")
private func setThreadName(_ thread: pthread_t, _ name: UnsafePointer<CChar>) -> Int32
