import CHiredis

/// A reply from Redis (RESP2, which is all hiredis 0.14 speaks).
public enum RedisReply: Sendable, Equatable {
    case status(String)
    case error(String)
    case integer(Int)
    case bulk([UInt8])
    case null
    case array([RedisReply])

    /// The integer of an `.integer` reply, or of a bulk/status reply that holds a decimal number.
    public var int: Int? {
        switch self {
        case .integer(let v): v
        case .bulk(let b): Int(String(decoding: b, as: UTF8.self))
        case .status(let s): Int(s)
        default: nil
        }
    }

    /// The text of a status or bulk reply (bulk bytes decoded as UTF-8, with repair).
    public var string: String? {
        switch self {
        case .status(let s): s
        case .bulk(let b): String(decoding: b, as: UTF8.self)
        case .integer(let v): String(v)
        default: nil
        }
    }

    /// The exact bytes of a bulk or status reply.
    public var bytes: [UInt8]? {
        switch self {
        case .bulk(let b): b
        case .status(let s): Array(s.utf8)
        default: nil
        }
    }

    public var array: [RedisReply]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// Copies a hiredis reply tree into Swift values. Does not free it.
    init(_ reply: UnsafePointer<redisReply>) {
        let r = reply.pointee
        switch r.type {
        case REDIS_REPLY_STATUS:
            self = .status(RedisReply.text(r.str, r.len))
        case REDIS_REPLY_ERROR:
            self = .error(RedisReply.text(r.str, r.len))
        case REDIS_REPLY_INTEGER:
            self = .integer(Int(r.integer))
        case REDIS_REPLY_STRING:
            self = .bulk(RedisReply.raw(r.str, r.len))
        case REDIS_REPLY_ARRAY:
            var items: [RedisReply] = []
            items.reserveCapacity(Int(r.elements))
            for i in 0..<Int(r.elements) {
                if let child = r.element[i] { items.append(RedisReply(child)) } else { items.append(.null) }
            }
            self = .array(items)
        default:
            self = .null
        }
    }

    static func raw(_ p: UnsafeMutablePointer<CChar>?, _ len: Int) -> [UInt8] {
        guard let p, len > 0 else { return [] }
        return Array(UnsafeRawBufferPointer(start: p, count: len))
    }

    static func text(_ p: UnsafeMutablePointer<CChar>?, _ len: Int) -> String {
        String(decoding: raw(p, len), as: UTF8.self)
    }
}
