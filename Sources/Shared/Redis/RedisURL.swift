import Runtime

/// Where Redis lives, parsed from `REDIS_URL` (`redis://host:port[/db]`).
public struct RedisURL: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: UInt16
    public var database: Int

    public init(host: String, port: UInt16 = 6379, database: Int = 0) {
        self.host = host
        self.port = port
        self.database = database
    }

    /// Parses `redis://host[:port][/db]`. The port defaults to 6379 and the database to 0.
    /// Returns nil for any other scheme, user info (no AUTH support), or a malformed port or database.
    public init?(parsing text: String) {
        let prefix = "redis://"
        guard text.lowercased().hasPrefix(prefix) else { return nil }
        var rest = Substring(text.dropFirst(prefix.count))
        var database = 0
        if let slash = rest.firstIndex(of: "/") {
            let dbText = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
            if !dbText.isEmpty {
                guard let db = Int(dbText), (0...15_999).contains(db) else { return nil }
                database = db
            }
        }
        guard !rest.contains("@"), !rest.isEmpty else { return nil }
        var host = rest
        var port: UInt16 = 6379
        if rest.hasPrefix("[") {  // [::1]:6379
            guard let close = rest.firstIndex(of: "]") else { return nil }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":"), let p = UInt16(after.dropFirst()), p > 0 else { return nil }
                port = p
            }
        } else if let colon = rest.lastIndex(of: ":") {
            host = rest[..<colon]
            guard let p = UInt16(rest[rest.index(after: colon)...]), p > 0 else { return nil }
            port = p
        }
        guard !host.isEmpty else { return nil }
        self.init(host: String(host), port: port, database: database)
    }

    public var description: String { "redis://\(host.contains(":") ? "[\(host)]" : host):\(port)/\(database)" }
}

extension Environment {
    /// `REDIS_URL` (default `redis://127.0.0.1:6379`), every service's Redis; a bad value is a problem.
    public mutating func redisURL(_ key: String = "REDIS_URL") -> RedisURL {
        let text = string(key, default: "redis://127.0.0.1:6379")
        guard let url = RedisURL(parsing: text) else {
            problem("\(key) must look like redis://host:port[/db], got \"\(text)\"")
            return RedisURL(host: "127.0.0.1")
        }
        return url
    }
}
