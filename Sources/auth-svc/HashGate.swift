import Dispatch
import HTTP
import Synchronization

/// Bounds password hashing so a burst of logins never stalls other requests.
///
/// Handlers run on the server's worker pool; a PBKDF2 run occupies a core for a long time. Two limits:
/// at most `concurrency` hashes run at once (leaving a core for the event loops and cheap requests),
/// and at most `queueLimit` requests hold a worker while waiting for or doing a hash. The limit is
/// below the pool's size, so requests like `/api/auth/me` and `/internal/verify` always find a free
/// worker. A request beyond it is shed at once with 503 and `Retry-After`, never queued.
final class HashGate: Sendable {
    private let slots: DispatchSemaphore
    private let admitted = Atomic<Int>(0)
    let concurrency: Int
    let queueLimit: Int

    init(concurrency: Int, queueLimit: Int) {
        self.concurrency = concurrency
        self.queueLimit = max(queueLimit, concurrency)
        slots = DispatchSemaphore(value: concurrency)
    }

    /// Requests currently admitted (hashing or waiting to).
    var inFlight: Int { admitted.load(ordering: .acquiring) }

    /// Runs `work` (hashing) inside the limits; 503 when too many requests are already waiting.
    func run<T>(_ work: () throws -> T) throws -> T {
        let before = admitted.add(1, ordering: .acquiringAndReleasing).oldValue
        defer { admitted.subtract(1, ordering: .acquiringAndReleasing) }
        guard before < queueLimit else {
            throw HTTPError(.serviceUnavailable, "busy", "Too many sign-ins at once. Try again in a moment.",
                            headers: [("Retry-After", "1")])
        }
        slots.wait()
        defer { slots.signal() }
        return try work()
    }
}
