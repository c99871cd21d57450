import Redis

/// The reliable mail queue in Redis.
///
/// - `mail:queue`: new jobs; auth-svc LPUSHes, the worker takes the oldest (right end).
/// - `mail:processing`: jobs being sent; a job stays here until the SMTP server accepted it, so a
///   crash leaves it for `recover()` on the next start.
/// - `mail:retry`: sorted set of failed jobs scored by due time (ms since 1970).
/// - `mail:dead`: jobs that failed every attempt, with their last error.
///
/// Every move between two keys is atomic (BLMOVE, MULTI/EXEC, or a Lua script), so a job is never
/// lost between them. One mail-svc instance per queue: `recover()` assumes nobody else is sending.
struct MailQueue: Sendable {
    let redis: RedisClient
    var queueKey = "mail:queue"
    var processingKey = "mail:processing"
    var retryKey = "mail:retry"
    var deadKey = "mail:dead"

    /// Moves jobs a crashed run left in processing back to the consumer end of the queue.
    func recover() throws(RedisError) -> Int {
        var moved = 0
        while case .bulk = try redis.command("LMOVE", processingKey, queueKey, "RIGHT", "RIGHT") { moved += 1 }
        return moved
    }

    /// Moves retries whose time has come back onto the queue (atomically, up to 100 at a time).
    @discardableResult
    func promoteDue(nowMilliseconds: Int64) throws(RedisError) -> Int {
        let script = """
            local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, 100)
            for _, job in ipairs(due) do
                redis.call('ZREM', KEYS[1], job)
                redis.call('RPUSH', KEYS[2], job)
            end
            return #due
            """
        return try redis.command("EVAL", script, "2", retryKey, queueKey, String(nowMilliseconds)).int ?? 0
    }

    /// Takes the oldest job into processing, waiting up to `timeout` seconds.
    func take(timeout: Double) throws(RedisError) -> [UInt8]? {
        try redis.blmove(from: queueKey, to: processingKey, timeout: timeout)
    }

    /// The job was delivered: forget it.
    func complete(_ raw: [UInt8]) throws(RedisError) {
        try redis.lrem(processingKey, raw)
    }

    /// Replaces the in-flight job by its updated copy in the retry set, due at `dueMilliseconds`.
    func scheduleRetry(_ raw: [UInt8], updated: [UInt8], dueMilliseconds: Int64) throws(RedisError) {
        try transaction([
            ["LREM", processingKey, "1"].map { Array($0.utf8) } + [raw],
            ["ZADD", retryKey, String(dueMilliseconds)].map { Array($0.utf8) } + [updated],
        ])
    }

    /// Replaces the in-flight job by its updated copy on the dead-letter list.
    func bury(_ raw: [UInt8], updated: [UInt8]) throws(RedisError) {
        try transaction([
            ["LREM", processingKey, "1"].map { Array($0.utf8) } + [raw],
            ["LPUSH", deadKey].map { Array($0.utf8) } + [updated],
        ])
    }

    private func transaction(_ commands: [[[UInt8]]]) throws(RedisError) {
        let replies = try redis.pipeline(argv: [[Array("MULTI".utf8)]] + commands + [[Array("EXEC".utf8)]])
        for reply in replies { if case .error(let message) = reply { throw RedisError(code: RedisError.replyError, message: message) } }
        guard replies.last?.array != nil else {
            throw RedisError(code: RedisError.unexpectedReply, message: "transaction was not executed")
        }
    }
}
