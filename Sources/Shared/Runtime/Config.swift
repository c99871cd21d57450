import FoundationEssentials
import Glibc

/// Every problem found in a service's environment, reported together.
public struct ConfigError: Error, CustomStringConvertible, Sendable {
    public var problems: [String]
    public init(problems: [String]) { self.problems = problems }
    public var description: String { problems.joined(separator: "\n") }
}

/// A host and port to listen on or connect to.
public struct HostPort: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: UInt16
    public init(host: String, port: UInt16) {
        self.host = host
        self.port = port
    }
    public var description: String { "\(host):\(port)" }

    /// Parses `host:port` or `:port` (host defaults to 127.0.0.1).
    public init?(parsing text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = UInt16(text[text.index(after: colon)...]) else { return nil }
        let host = String(text[..<colon])
        self.init(host: host.isEmpty ? "127.0.0.1" : host, port: port)
    }
}

/// Reads typed settings from environment variables and collects every problem instead of stopping at
/// the first, so an operator sees the whole list at once.
///
///     init(environment: [String: String]) throws {
///         var env = Environment(environment)
///         listen = env.hostPort("LISTEN", default: "127.0.0.1:8081")
///         dataDir = env.string("DATA_DIR", default: "./var")
///         try env.validate()
///     }
public struct Environment {
    public let values: [String: String]
    public private(set) var problems: [String] = []

    public init(_ values: [String: String] = ProcessInfo.processInfo.environment) { self.values = values }

    /// Records a problem of the caller's own (for cross-field checks).
    public mutating func problem(_ text: String) { problems.append(text) }

    public func has(_ key: String) -> Bool { !(values[key] ?? "").isEmpty }

    public mutating func string(_ key: String, default fallback: String) -> String {
        let v = values[key] ?? ""
        return v.isEmpty ? fallback : v
    }

    public mutating func optionalString(_ key: String) -> String? {
        let v = values[key] ?? ""
        return v.isEmpty ? nil : v
    }

    public mutating func required(_ key: String) -> String {
        let v = values[key] ?? ""
        if v.isEmpty { problems.append("\(key) is required") }
        return v
    }

    public mutating func int(_ key: String, default fallback: Int, range: ClosedRange<Int> = Int.min...Int.max) -> Int {
        guard let raw = values[key], !raw.isEmpty else { return fallback }
        guard let v = Int(raw.trimmingOWS()) else {
            problems.append("\(key) must be an integer, got \"\(raw)\"")
            return fallback
        }
        guard range.contains(v) else {
            problems.append("\(key) must be between \(range.lowerBound) and \(range.upperBound), got \(v)")
            return fallback
        }
        return v
    }

    public mutating func double(_ key: String, default fallback: Double, range: ClosedRange<Double>) -> Double {
        guard let raw = values[key], !raw.isEmpty else { return fallback }
        guard let v = Double(raw), range.contains(v) else {
            problems.append("\(key) must be a number between \(range.lowerBound) and \(range.upperBound), got \"\(raw)\"")
            return fallback
        }
        return v
    }

    public mutating func bool(_ key: String, default fallback: Bool) -> Bool {
        guard let raw = values[key], !raw.isEmpty else { return fallback }
        switch raw.lowercased() {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default:
            problems.append("\(key) must be true or false, got \"\(raw)\"")
            return fallback
        }
    }

    public mutating func hostPort(_ key: String, default fallback: String) -> HostPort {
        let raw = string(key, default: fallback)
        guard let hp = HostPort(parsing: raw) else {
            problems.append("\(key) must be host:port, got \"\(raw)\"")
            return HostPort(parsing: fallback)!
        }
        return hp
    }

    /// Where a service listens: `LISTEN` (`host:port`, or `off` for no TCP listener) and
    /// `LISTEN_UNIX` (a Unix socket path, optional). With `LISTEN=off`, `LISTEN_UNIX` is required.
    public mutating func listeners(default fallback: String) -> (tcp: HostPort?, unix: String?) {
        let unix = socketPath("LISTEN_UNIX")
        guard string("LISTEN", default: fallback) != "off" else {
            if unix == nil && !has("LISTEN_UNIX") { problem("LISTEN=off needs LISTEN_UNIX: the service must listen somewhere") }
            return (nil, unix)
        }
        return (hostPort("LISTEN", default: fallback), unix)
    }

    /// An optional Unix socket path, e.g. `LISTEN_UNIX`: absolute, and short enough for `sun_path`.
    public mutating func socketPath(_ key: String) -> String? {
        guard let raw = optionalString(key) else { return nil }
        guard Self.isSocketPath(raw) else {
            problems.append("\(key) must be an absolute path of at most \(Self.maxSocketPath) bytes, got \"\(raw)\"")
            return nil
        }
        return raw
    }

    /// The longest Unix socket path Linux accepts (`sun_path` is 108 bytes with its terminating NUL).
    public static let maxSocketPath = 107

    /// An absolute path short enough for `sun_path`.
    public static func isSocketPath(_ path: some StringProtocol) -> Bool {
        path.hasPrefix("/") && path.utf8.count <= maxSocketPath
    }

    public mutating func choice(_ key: String, default fallback: String, allowed: [String]) -> String {
        let raw = string(key, default: fallback)
        guard allowed.contains(raw) else {
            problems.append("\(key) must be one of \(allowed.joined(separator: ", ")), got \"\(raw)\"")
            return fallback
        }
        return raw
    }

    /// An absolute http(s) URL without a trailing slash, e.g. `PUBLIC_URL`.
    public mutating func baseURL(_ key: String, default fallback: String) -> String {
        var raw = string(key, default: fallback)
        while raw.hasSuffix("/") { raw.removeLast() }
        guard let url = URL(string: raw), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil
        else {
            problems.append("\(key) must be an http:// or https:// URL, got \"\(raw)\"")
            return fallback
        }
        return raw
    }

    public mutating func logLevel(_ key: String = "LOG_LEVEL", default fallback: LogLevel = .info) -> LogLevel {
        guard let raw = values[key], !raw.isEmpty else { return fallback }
        guard let level = LogLevel(name: raw) else {
            problems.append("\(key) must be one of trace, debug, info, warning, error, got \"\(raw)\"")
            return fallback
        }
        return level
    }

    /// Throws every recorded problem at once.
    public func validate() throws(ConfigError) {
        if !problems.isEmpty { throw ConfigError(problems: problems) }
    }
}

/// The exit status for bad configuration (EX_CONFIG in sysexits.h).
public let exitConfigError: Int32 = 78

/// Builds a service's configuration from the process environment. On failure it prints every
/// problem to stderr and exits with status 78.
public func loadConfig<C>(service: String, _ make: ([String: String]) throws -> C) -> C {
    do {
        return try make(ProcessInfo.processInfo.environment)
    } catch let error as ConfigError {
        let log = Log(service: service)
        for problem in error.problems { log.error("bad configuration", ["problem": problem]) }
        exit(exitConfigError)
    } catch {
        Log(service: service).error("bad configuration", ["problem": "\(error)"])
        exit(exitConfigError)
    }
}
