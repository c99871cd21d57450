import Redis
import Runtime
import Synchronization

/// Who is online, from the keys relay-svc keeps (TEAM "Presence keys"): a user is online while any
/// `presence:<user>:<instance>` exists for a live relay instance listed in `relay:instances`.
///
/// The instance list changes rarely, so it is cached for a few seconds; a room view then costs one
/// pipelined round trip. When Redis does not answer, everyone shows as offline rather than failing
/// the whole room view.
final class Presence: Sendable {
    private let redis: RedisClient
    private let log: Log
    private let cacheNanoseconds: UInt64
    private let cached = Mutex<(instances: [String], fetchedAt: UInt64)?>(nil)

    init(redis: RedisClient, log: Log, cacheSeconds: Double = 5) {
        self.redis = redis
        self.log = log
        self.cacheNanoseconds = UInt64(cacheSeconds * 1e9)
    }

    /// The online state of each of `users`.
    func online(_ users: [Int]) -> [Int: Bool] {
        var result = Dictionary(uniqueKeysWithValues: users.map { ($0, false) })
        guard !users.isEmpty else { return result }
        do {
            let instances = try liveInstances()
            guard !instances.isEmpty else { return result }
            let replies = try redis.pipeline(users.map { user in
                ["EXISTS"] + instances.map { "presence:\(user):\($0)" }
            })
            for (user, reply) in zip(users, replies) { result[user] = Self.isPositive(reply) }
        } catch {
            log.warning("presence lookup failed", ["error": "\(error)"])
        }
        return result
    }

    private static func isPositive(_ reply: RedisReply) -> Bool {
        if case .integer(let n) = reply { n > 0 } else { false }
    }

    /// The members of `relay:instances` whose `relay:alive:<instance>` key still exists; dead ones are
    /// removed from the set (a crashed relay cannot keep anyone online past its keys' TTL anyway).
    private func liveInstances() throws -> [String] {
        let now = monotonicNanoseconds()
        if let hit = cached.withLock({ $0 }), now &- hit.fetchedAt < cacheNanoseconds { return hit.instances }
        var listed: [String] = []
        if case .array(let items) = try redis.command("SMEMBERS", "relay:instances") {
            listed = items.compactMap { if case .bulk(let b) = $0 { String(decoding: b, as: UTF8.self) } else { nil } }
        }
        var live: [String] = []
        if !listed.isEmpty {
            let alive = try redis.pipeline(listed.map { ["EXISTS", "relay:alive:\($0)"] })
            var dead: [String] = []
            for (instance, reply) in zip(listed, alive) {
                if Self.isPositive(reply) { live.append(instance) } else { dead.append(instance) }
            }
            if !dead.isEmpty { try redis.command(argv: [Array("SREM".utf8), Array("relay:instances".utf8)] + dead.map { Array($0.utf8) }) }
        }
        cached.withLock { $0 = (live, now) }
        return live
    }
}
