import Runtime
import Synchronization

/// The per-user send rate: a token bucket of `perWindow` sends that refills evenly over `window`
/// seconds, so short bursts pass and a steady flood is held at the rate.
///
/// It lives in this process: room-svc runs as one instance (SQLite has one writer), so a shared
/// store would only add a round trip to every send.
final class SendRateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: UInt64
    }

    private let capacity: Double
    private let refillPerNanosecond: Double
    private let buckets = Mutex<[Int: Bucket]>([:])
    private let clock: @Sendable () -> UInt64

    init(perWindow: Int, window: Double = 10, clock: @escaping @Sendable () -> UInt64 = monotonicNanoseconds) {
        capacity = Double(perWindow)
        refillPerNanosecond = Double(perWindow) / (window * 1e9)
        self.clock = clock
    }

    /// Takes one send for `user`: nil when allowed, else the whole seconds until one is allowed.
    func take(user: Int) -> Int? {
        let now = clock()
        return buckets.withLock { buckets -> Int? in
            if buckets.count > 50_000 { prune(&buckets, now: now) }
            var bucket = buckets[user] ?? Bucket(tokens: capacity, updated: now)
            bucket.tokens = min(capacity, bucket.tokens + Double(now &- bucket.updated) * refillPerNanosecond)
            bucket.updated = now
            defer { buckets[user] = bucket }
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                return nil
            }
            let wait = (1 - bucket.tokens) / refillPerNanosecond / 1e9
            return max(1, Int(wait.rounded(.up)))
        }
    }

    /// Drops buckets that have refilled completely: they hold nothing a new bucket would not.
    private func prune(_ buckets: inout [Int: Bucket], now: UInt64) {
        buckets = buckets.filter { _, b in b.tokens + Double(now &- b.updated) * refillPerNanosecond < capacity }
    }
}
