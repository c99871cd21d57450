import CHiredis
import FoundationEssentials
import Runtime

/// A blocking Redis client over a small pool of hiredis connections.
///
/// Every call blocks its thread: use it from worker threads, never from an event loop or Swift's
/// cooperative pool. Connections open lazily with `connectTimeout`; each command is bounded by
/// `commandTimeout` (socket SO_RCVTIMEO). A connection that fails or times out is closed and the
/// next call opens a fresh one, so the client recovers by itself when Redis restarts. A command
/// that failed with a connection error is not retried: it may or may not have run.
public final class RedisClient: Sendable {
    public let host: String
    public let port: UInt16
    public let commandTimeout: Double
    private let pool: ConnectionPool

    public init(
        host: String, port: UInt16, database: Int = 0, credentials: RedisCredentials? = nil, poolSize: Int = 4,
        connectTimeout: Double = 2, commandTimeout: Double = 5
    ) {
        self.host = host
        self.port = port
        self.commandTimeout = commandTimeout
        pool = ConnectionPool(size: poolSize) { () throws(RedisError) -> RedisConnection in
            try RedisConnection(
                host: host, port: port, database: database, credentials: credentials,
                connectTimeout: connectTimeout, commandTimeout: commandTimeout)
        }
    }

    public convenience init(url: RedisURL, poolSize: Int = 4, connectTimeout: Double = 2, commandTimeout: Double = 5) {
        self.init(
            host: url.host, port: url.port, database: url.database, credentials: url.credentials, poolSize: poolSize,
            connectTimeout: connectTimeout, commandTimeout: commandTimeout)
    }

    deinit { pool.closeAll() }

    /// Closes the idle connections (busy ones close when their call ends and fails).
    public func close() { pool.closeAll() }

    /// Runs one command. Throws `RedisError` on connection problems, timeouts and error replies.
    @discardableResult
    public func command(_ args: String...) throws(RedisError) -> RedisReply {
        try command(argv: args.map { Array($0.utf8) })
    }

    /// Runs one command with binary arguments (NUL bytes and non-UTF-8 pass through unchanged).
    @discardableResult
    public func command(argv: [[UInt8]]) throws(RedisError) -> RedisReply {
        let reply = try withConnection { connection throws(RedisError) in try connection.command(argv) }
        if case .error(let message) = reply { throw RedisError(code: RedisError.replyError, message: message) }
        return reply
    }

    /// Sends all commands in one write and reads every reply, in order, on one connection.
    /// Error replies come back as `.error` elements (the other commands still ran).
    public func pipeline(_ commands: [[String]]) throws(RedisError) -> [RedisReply] {
        try pipeline(argv: commands.map { $0.map { Array($0.utf8) } })
    }

    /// Binary-safe `pipeline`.
    public func pipeline(argv commands: [[[UInt8]]]) throws(RedisError) -> [RedisReply] {
        if commands.isEmpty { return [] }
        return try withConnection { connection throws(RedisError) in
            for command in commands { try connection.append(command) }
            var replies: [RedisReply] = []
            replies.reserveCapacity(commands.count)
            for _ in commands { replies.append(try connection.getReply()) }
            return replies
        }
    }

    /// True when Redis answers PING within the timeouts.
    public func ping() -> Bool {
        (try? command("PING"))?.string == "PONG"
    }

    /// Publishes `message` on `channel`; returns how many subscribers received it.
    @discardableResult
    public func publish(_ channel: String, _ message: [UInt8]) throws(RedisError) -> Int {
        try command(argv: [Array("PUBLISH".utf8), Array(channel.utf8), message]).int ?? 0
    }

    // MARK: Reliable queue

    /// Pushes a job onto the head (left) of a queue list.
    public func lpush(_ key: String, _ value: [UInt8]) throws(RedisError) {
        try command(argv: [Array("LPUSH".utf8), Array(key.utf8), value])
    }

    /// Atomically takes the OLDEST job from `from` and keeps it in `to` until `lrem` confirms it:
    /// `BLMOVE from to RIGHT LEFT timeout`. Producers `lpush` onto the left, so popping on the right
    /// is first-in first-out; the job lands on the left of the processing list. Blocks up to
    /// `timeout` seconds (0 = forever) and returns nil when nothing arrived.
    public func blmove(from: String, to: String, timeout: Double) throws(RedisError) -> [UInt8]? {
        let seconds = max(0, timeout).fixed(3)
        let argv = ["BLMOVE", from, to, "RIGHT", "LEFT", seconds].map { Array($0.utf8) }
        let reply = try withConnection { connection throws(RedisError) in
            // The socket must wait longer than the server-side block, or every idle wait would time out.
            try connection.setTimeout(timeout == 0 ? 0 : timeout + commandTimeout)
            let reply = try connection.command(argv)
            try connection.restoreTimeout()
            return reply
        }
        switch reply {
        case .bulk(let bytes): return bytes
        case .null: return nil
        case .error(let message): throw RedisError(code: RedisError.replyError, message: message)
        default: throw RedisError(code: RedisError.unexpectedReply, message: "BLMOVE returned \(reply)")
        }
    }

    /// Removes one occurrence of `value` from `key` (LREM key 1 value); returns how many were removed.
    @discardableResult
    public func lrem(_ key: String, _ value: [UInt8]) throws(RedisError) -> Int {
        try command(argv: [Array("LREM".utf8), Array(key.utf8), Array("1".utf8), value]).int ?? 0
    }

    // MARK: Pool

    private func withConnection<T>(_ body: (RedisConnection) throws(RedisError) -> T) throws(RedisError) -> T {
        let connection = try pool.checkOut(deadline: Date().addingTimeInterval(commandTimeout))
        do {
            let result = try body(connection)
            pool.checkIn(connection)
            return result
        } catch {
            pool.discard(connection)
            throw error
        }
    }
}
