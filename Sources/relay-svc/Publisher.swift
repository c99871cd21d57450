import Dispatch
import Redis
import Runtime
import Synchronization

/// Publishes relay-made events (typing, presence) off the socket threads: callers queue, and one
/// dispatch queue sends whatever has gathered in one pipelined round trip.
final class Publisher: Sendable {
    private let redis: RedisClient
    private let log: Log
    private let queue = DispatchQueue(label: "relay-publish")
    private let pending = Mutex<[[String]]>([])

    init(redis: RedisClient, log: Log) {
        self.redis = redis
        self.log = log
    }

    /// Queues a PUBLISH; never blocks. Pub/sub is at most once anyway, so a failure is only logged.
    func publish(_ channel: String, _ payload: String) {
        let first = pending.withLock { pending -> Bool in
            pending.append(["PUBLISH", channel, payload])
            return pending.count == 1
        }
        if first { queue.async { [self] in drain() } }
    }

    private func drain() {
        let batch = pending.withLock { pending -> [[String]] in
            defer { pending.removeAll(keepingCapacity: true) }
            return pending
        }
        guard !batch.isEmpty else { return }
        do {
            _ = try redis.pipeline(batch)
        } catch {
            log.warning("publish failed", ["events": String(batch.count), "error": "\(error)"])
        }
    }
}
