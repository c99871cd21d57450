import HTTP
import Redis
import Runtime

/// Fixed-window counters in Redis: `INCR` + `EXPIRE … NX` + `TTL` in one pipeline. The window starts
/// at the first hit, so repeated attempts do not push it further out.
struct RateLimiter: Sendable {
    let redis: RedisClient
    let log: Log

    /// A counter key and its limit per window.
    struct Rule: Sendable {
        var key: String
        var limit: Int
        var window: Int
    }

    /// 429 with `Retry-After` when any rule's counter has already reached its limit (no counting).
    func ensureAllowed(_ rules: [Rule]) throws {
        guard !rules.isEmpty else { return }
        var commands: [[String]] = []
        for rule in rules {
            commands.append(["GET", rule.key])
            commands.append(["TTL", rule.key])
        }
        let replies = try pipeline(commands)
        var retryAfter = 0
        for (i, rule) in rules.enumerated() {
            let count = replies[2 * i].string.flatMap { Int($0) } ?? 0
            if count >= rule.limit {
                let ttl = replies[2 * i + 1].int ?? rule.window
                retryAfter = max(retryAfter, ttl > 0 ? ttl : rule.window)
            }
        }
        if retryAfter > 0 { throw HTTPError.rateLimited(retryAfter: retryAfter) }
    }

    /// Counts one event against every rule; returns the seconds to wait if any limit is now exceeded
    /// (count above the limit), nil otherwise.
    @discardableResult
    func hit(_ rules: [Rule]) throws -> Int? {
        guard !rules.isEmpty else { return nil }
        var commands: [[String]] = []
        for rule in rules {
            commands.append(["INCR", rule.key])
            commands.append(["EXPIRE", rule.key, String(rule.window), "NX"])
            commands.append(["TTL", rule.key])
        }
        let replies = try pipeline(commands)
        var retryAfter: Int?
        for (i, rule) in rules.enumerated() {
            // A server error here (say, a key of another type) must not count as "allowed".
            if case .error = replies[3 * i] { throw HTTPError.unavailable }
            let count = replies[3 * i].int ?? 0
            if count > rule.limit {
                let ttl = replies[3 * i + 2].int ?? rule.window
                retryAfter = max(retryAfter ?? 0, ttl > 0 ? ttl : rule.window)
            }
        }
        return retryAfter
    }

    func reset(_ keys: [String]) throws {
        guard !keys.isEmpty else { return }
        _ = try pipeline([["DEL"] + keys])
    }

    /// Without Redis no limit can be enforced: fail closed with 503 rather than let attempts through.
    private func pipeline(_ commands: [[String]]) throws -> [RedisReply] {
        do {
            let replies = try redis.pipeline(commands)
            guard replies.count == commands.count else { throw HTTPError.unavailable }
            return replies
        } catch let error as HTTPError {
            throw error
        } catch {
            log.error("rate limiter unavailable", ["error": "\(error)"])
            throw HTTPError.unavailable
        }
    }
}
