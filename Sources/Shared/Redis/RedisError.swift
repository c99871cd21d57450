import CHiredis

/// A failed Redis call: a connection, timeout or protocol problem reported by hiredis
/// (`code` is hiredis's `REDIS_ERR_*`), or an error reply from the server (`code == replyError`).
public struct RedisError: Error, CustomStringConvertible, Sendable {
    public var code: Int32
    public var message: String

    public init(code: Int32, message: String) {
        self.code = code
        self.message = message
    }

    /// The server answered with an error reply (`-ERR …`, `-WRONGTYPE …`).
    public static let replyError: Int32 = 100
    /// No pooled connection became free in time.
    public static let poolExhausted: Int32 = 101
    /// A reply had an unexpected shape for the helper that asked.
    public static let unexpectedReply: Int32 = 102

    /// The one funnel for hiredis context errors: `c.err` plus `c.errstr`, read at the failure site.
    init(context c: UnsafePointer<redisContext>) {
        let err = c.pointee.err
        let text = withUnsafeBytes(of: c.pointee.errstr) { raw -> String in
            let bytes = raw.prefix { $0 != 0 }
            return String(decoding: bytes, as: UTF8.self)
        }
        self.init(code: err == 0 ? REDIS_ERR_OTHER : err, message: text.isEmpty ? "unknown hiredis error" : text)
    }

    /// True when the connection broke or timed out (the pool drops that connection).
    public var isConnectionError: Bool { code != RedisError.replyError && code != RedisError.unexpectedReply && code != RedisError.poolExhausted }

    /// True for a command or connect timeout (hiredis reports EAGAIN from SO_RCVTIMEO as an I/O error).
    public var isTimeout: Bool {
        code == REDIS_ERR_IO && (message.contains("temporarily unavailable") || message.contains("timed out"))
    }

    public var description: String {
        switch code {
        case RedisError.replyError: "Redis error reply: \(message)"
        case RedisError.poolExhausted: "Redis pool exhausted: \(message)"
        case RedisError.unexpectedReply: "Redis unexpected reply: \(message)"
        default: "Redis connection error \(code): \(message)"
        }
    }
}
