import FoundationEssentials
import Glibc
import HTTP
import Redis
import Runtime

/// relay-svc settings, from the environment.
struct RelayConfig: Sendable {
    /// `LISTEN` (`off`: the Unix socket only).
    var listen: HostPort?
    /// `LISTEN_UNIX`: a Unix socket to listen on as well (or only), for nginx (see `ServerConfig.unixSocket`).
    var listenUnix: String?
    var redis: RedisURL
    /// Where room-svc answers `GET /internal/users/{id}/rooms`: `ROOM_SVC_URL`, `http://host:port`
    /// or `unix:/path/to/room.sock`.
    var roomService: HTTPClient.Target
    /// The browser origin every upgrade must carry (from PUBLIC_URL).
    var publicOrigin: String
    /// This process's name in the presence keys; unique per running instance.
    var instance: String
    var logLevel: LogLevel
    var pingInterval: Double
    var idleTimeout: Double
    /// Lifetime of `presence:<user>:<instance>`; refreshed every third of it.
    var presenceTTL: Int
    /// How long a user's last socket must stay closed before they are announced offline.
    var offlineDebounce: Double
    /// Typing frames one socket may publish per room per this many seconds (the page sends one per 3 s).
    var typingInterval: Double
    /// Events for one socket that arrive within this many seconds of its loop's last write leave
    /// together at the end of the window (LocalHub). 20 ms: at 15, ten rooms of 100 members topped
    /// out near 1,300–2,300 sends/s; at 20 near 2,300–2,800, for 2.5 ms more latency on average
    /// while the loop is busy (an event after a quiet spell leaves at once either way).
    var batchWindow: Double

    init(environment: [String: String]) throws {
        var env = Environment(environment)
        (listen, listenUnix) = env.listeners(default: "127.0.0.1:8083")
        redis = env.redisURL()
        roomService = RelayConfig.roomService(&env)
        publicOrigin = RelayConfig.origin(of: env.baseURL("PUBLIC_URL", default: "http://127.0.0.1:8080"))
        instance = env.string("RELAY_INSTANCE", default: "\(ProcessInfo.processInfo.hostName)-\(getpid())")
        if instance.contains(where: { $0 == ":" || $0 == " " }) { env.problem("RELAY_INSTANCE may not contain ':' or spaces") }
        logLevel = env.logLevel()
        pingInterval = env.double("PING_INTERVAL", default: 30, range: 0.05...3600)
        idleTimeout = env.double("IDLE_TIMEOUT", default: 75, range: 0.1...7200)
        presenceTTL = env.int("PRESENCE_TTL", default: 60, range: 2...3600)
        offlineDebounce = env.double("OFFLINE_DEBOUNCE", default: 5, range: 0...600)
        typingInterval = env.double("TYPING_INTERVAL", default: 1, range: 0...60)
        batchWindow = env.double("BATCH_MS", default: 20, range: 0...100) / 1000
        try env.validate()
    }

    private static func roomService(_ env: inout Environment) -> HTTPClient.Target {
        if let raw = env.optionalString("ROOM_SVC_URL"), raw.hasPrefix("unix:") {
            let path = String(raw.dropFirst("unix:".count))
            if !Environment.isSocketPath(path) {
                env.problem("ROOM_SVC_URL must be http://host:port or unix:/absolute/path (at most \(Environment.maxSocketPath) bytes), got \"\(raw)\"")
            }
            return .unix(path)
        }
        let roomURL = env.baseURL("ROOM_SVC_URL", default: "http://127.0.0.1:8082")
        if roomURL.hasPrefix("https:") { env.problem("ROOM_SVC_URL must be plain http:// (an internal address)") }
        return .tcp(RelayConfig.hostPort(of: roomURL) ?? HostPort(host: "127.0.0.1", port: 8082))
    }

    /// `http://host:port` → host and port (80 when absent).
    static func hostPort(of url: String) -> HostPort? {
        guard let parsed = URL(string: url), let host = parsed.host else { return nil }
        return HostPort(host: host, port: UInt16(parsed.port ?? 80))
    }

    /// The origin (RFC 6454) of a base URL: scheme, host and a port other than the default.
    static func origin(of url: String) -> String {
        guard let parsed = URL(string: url), let scheme = parsed.scheme, let host = parsed.host else { return url }
        let defaultPort = scheme == "https" ? 443 : 80
        let port = parsed.port.map { $0 == defaultPort ? "" : ":\($0)" } ?? ""
        return "\(scheme)://\(host)\(port)"
    }
}
