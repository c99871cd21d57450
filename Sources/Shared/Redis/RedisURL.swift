import Glibc
import Runtime

/// What a connection sends as `AUTH` before anything else: a password, and an ACL user for Redis 6
/// and later (without one, Redis checks the password of its default user).
public struct RedisCredentials: Sendable, Equatable {
    public var username: String?
    public var password: String

    public init(username: String? = nil, password: String) {
        self.username = username
        self.password = password
    }

    var authCommand: [[UInt8]] { (["AUTH"] + (username.map { [$0] } ?? []) + [password]).map { Array($0.utf8) } }
}

/// Where Redis lives, parsed from `REDIS_URL` (`redis://[[user]:password@]host[:port][/db]`).
/// `description` never shows the credentials, so the URL can be logged.
public struct RedisURL: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: UInt16
    public var database: Int
    public var credentials: RedisCredentials?

    public init(host: String, port: UInt16 = 6379, database: Int = 0, credentials: RedisCredentials? = nil) {
        self.host = host
        self.port = port
        self.database = database
        self.credentials = credentials
    }

    /// Parses `redis://[[user]:password@]host[:port][/db]`. The port defaults to 6379 and the
    /// database to 0; user and password are percent-decoded (a `@`, `:` or `/` in them must be
    /// written `%40`, `%3A`, `%2F`). Returns nil for any other scheme, user info without a `:`
    /// before the password, or a malformed port, database or escape.
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
        var credentials: RedisCredentials?
        if let at = rest.lastIndex(of: "@") {
            let userInfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
            guard let colon = userInfo.firstIndex(of: ":"),
                  let user = URLCoding.percentDecode(String(userInfo[..<colon])),
                  let password = URLCoding.percentDecode(String(userInfo[userInfo.index(after: colon)...])),
                  !password.isEmpty
            else { return nil }
            credentials = RedisCredentials(username: user.isEmpty ? nil : user, password: password)
        }
        guard !rest.isEmpty else { return nil }
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
        self.init(host: String(host), port: port, database: database, credentials: credentials)
    }

    public var description: String {
        let auth = credentials.map { "\($0.username ?? ""):***@" } ?? ""
        return "redis://\(auth)\(host.contains(":") ? "[\(host)]" : host):\(port)/\(database)"
    }

    /// `text` with anything between `redis://` and the last `@` replaced by `***`: a URL that did
    /// not parse can be quoted in an error without its password.
    static func redacted(_ text: String) -> String {
        guard let scheme = text.firstRange(of: "://"), let at = text.lastIndex(of: "@"), at > scheme.upperBound else { return text }
        return String(text[..<scheme.upperBound]) + "***" + String(text[at...])
    }
}

extension Environment {
    /// `REDIS_URL` (default `redis://127.0.0.1:6379`), every service's Redis; a bad value is a problem.
    /// With `REDIS_PASSWORD_FILE`, the password is the first line of that file instead (a Docker or
    /// systemd secret), and `REDIS_URL` must not carry one of its own.
    public mutating func redisURL(_ key: String = "REDIS_URL") -> RedisURL {
        let text = string(key, default: "redis://127.0.0.1:6379")
        guard var url = RedisURL(parsing: text) else {
            problem("\(key) must look like redis://[[user]:password@]host[:port][/db], got \"\(RedisURL.redacted(text))\"")
            return RedisURL(host: "127.0.0.1")
        }
        guard let file = optionalString("REDIS_PASSWORD_FILE") else { return url }
        if url.credentials != nil {
            problem("REDIS_PASSWORD_FILE and a password in \(key) are both set; keep one")
        } else if let password = Self.firstLine(ofFile: file) {
            url.credentials = RedisCredentials(password: password)
        } else {
            problem("REDIS_PASSWORD_FILE \"\(file)\" cannot be read or its first line is empty")
        }
        return url
    }

    private static func firstLine(ofFile path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        guard let line = FileIO.firstLine(fd), !line.isEmpty else { return nil }
        return line
    }
}
