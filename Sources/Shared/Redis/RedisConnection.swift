import CHiredis
import Glibc

/// Owns one blocking hiredis `redisContext*`. Used by one thread at a time: `RedisClient`'s pool
/// hands it out exclusively. After any connection error the context is unusable (a late reply
/// would desynchronise the protocol), so the pool closes it instead of returning it.
final class RedisConnection {
    private var context: UnsafeMutablePointer<redisContext>?
    private let commandTimeout: Double

    /// Connects, then sends `AUTH` (with `credentials`) and `SELECT` (for a database other than 0).
    init(
        host: String, port: UInt16, database: Int, credentials: RedisCredentials?, connectTimeout: Double,
        commandTimeout: Double
    ) throws(RedisError) {
        self.commandTimeout = commandTimeout
        guard let c = redisConnectWithTimeout(host, Int32(port), RedisConnection.timeval(connectTimeout)) else {
            throw RedisError(code: REDIS_ERR_OOM, message: "cannot allocate a hiredis context")
        }
        if c.pointee.err != 0 {
            let error = RedisError(context: c)
            redisFree(c)
            throw error
        }
        context = c
        do throws(RedisError) {
            try setTimeout(commandTimeout)
            if let credentials {
                // Redis's refusal (WRONGPASS, or ERR when it has no password set) never quotes the password.
                let reply = try command(credentials.authCommand)
                if case .error(let message) = reply { throw RedisError(code: RedisError.replyError, message: "AUTH: \(message)") }
            }
            if database != 0 {
                let reply = try command([Array("SELECT".utf8), Array(String(database).utf8)])
                if case .error(let message) = reply { throw RedisError(code: RedisError.replyError, message: message) }
            }
        } catch {
            close()
            throw error
        }
    }

    deinit { assert(context == nil, "RedisConnection leaked: call close()") }

    func close() {
        if let c = context { redisFree(c) }
        context = nil
    }

    /// The socket timeout for reads and writes (0 = block forever), via SO_RCVTIMEO/SO_SNDTIMEO.
    func setTimeout(_ seconds: Double) throws(RedisError) {
        guard let c = context else { throw RedisConnection.closedError }
        if redisSetTimeout(c, RedisConnection.timeval(seconds)) != REDIS_OK { throw RedisError(context: c) }
    }

    /// Restores the configured command timeout after a blocking command changed it.
    func restoreTimeout() throws(RedisError) { try setTimeout(commandTimeout) }

    /// False when the idle socket is readable: the server closed it (restart, idle timeout) or sent
    /// something unasked for. Either way it must not be reused.
    var looksHealthy: Bool {
        guard let c = context, c.pointee.err == 0 else { return false }
        var p = pollfd(fd: c.pointee.fd, events: Int16(POLLIN), revents: 0)
        let n = poll(&p, 1, 0)
        return n == 0
    }

    /// Sends one command and reads its reply. Binary-safe. Error replies come back as `.error`.
    func command(_ argv: [[UInt8]]) throws(RedisError) -> RedisReply {
        guard let c = context else { throw RedisConnection.closedError }
        let raw = RedisConnection.withArgv(argv) { count, pointers, lengths in
            redisCommandArgv(c, count, pointers, lengths)
        }
        return try takeReply(raw, c)
    }

    /// Buffers a command for a pipeline; `getReply` reads the replies in order.
    func append(_ argv: [[UInt8]]) throws(RedisError) {
        guard let c = context else { throw RedisConnection.closedError }
        let rc = RedisConnection.withArgv(argv) { count, pointers, lengths in
            redisAppendCommandArgv(c, count, pointers, lengths)
        }
        if rc != REDIS_OK { throw RedisError(context: c) }
    }

    func getReply() throws(RedisError) -> RedisReply {
        guard let c = context else { throw RedisConnection.closedError }
        var raw: UnsafeMutableRawPointer?
        if redisGetReply(c, &raw) != REDIS_OK {
            if let raw { freeReplyObject(raw) }
            throw RedisError(context: c)
        }
        return try takeReply(raw, c)
    }

    private func takeReply(_ raw: UnsafeMutableRawPointer?, _ c: UnsafeMutablePointer<redisContext>) throws(RedisError) -> RedisReply {
        guard let raw else { throw RedisError(context: c) }
        defer { freeReplyObject(raw) }
        return RedisReply(raw.assumingMemoryBound(to: redisReply.self))
    }

    private static let closedError = RedisError(code: REDIS_ERR_OTHER, message: "connection is closed")

    static func timeval(_ seconds: Double) -> Glibc.timeval {
        let s = max(0, seconds)
        let whole = Int(s)
        return Glibc.timeval(tv_sec: whole, tv_usec: Int((s - Double(whole)) * 1_000_000))
    }

    /// Lays out argv for hiredis without copying the arguments: pointers stay valid for the call only.
    static func withArgv<R>(
        _ argv: [[UInt8]],
        _ body: (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>, UnsafePointer<Int>) -> R
    ) -> R {
        let joined = argv.flatMap { $0 }
        var lengths = argv.map(\.count)
        return joined.withUnsafeBufferPointer { all in
            let base = UnsafeRawPointer(all.baseAddress ?? UnsafePointer(bitPattern: 1)!)
            var pointers: [UnsafePointer<CChar>?] = []
            pointers.reserveCapacity(argv.count)
            var offset = 0
            for length in lengths {
                pointers.append((base + offset).assumingMemoryBound(to: CChar.self))
                offset += length
            }
            return pointers.withUnsafeMutableBufferPointer { p in
                lengths.withUnsafeMutableBufferPointer { l in body(Int32(argv.count), p.baseAddress!, l.baseAddress!) }
            }
        }
    }
}

@available(*, unavailable)
extension RedisConnection: Sendable {}
