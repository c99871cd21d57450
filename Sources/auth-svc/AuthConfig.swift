import FoundationEssentials
import Redis
import Runtime

/// auth-svc's settings, read from environment variables (see README and TEAM conventions).
struct AuthConfig: Sendable {
    /// `LISTEN` (`off`: the Unix socket only).
    var listen: HostPort?
    /// `LISTEN_UNIX`: a Unix socket to listen on as well (or only), for nginx (see `ServerConfig.unixSocket`).
    var listenUnix: String?
    var dataDir: String
    var redis: RedisURL
    var publicURL: String
    var logLevel: LogLevel
    var passwordIterations: Int
    /// The file with one common password per line (Django's list).
    var commonPasswordsFile: String
    /// Worker threads for blocking routes; hashing may occupy at most `hashQueueLimit` of them.
    var workers: Int
    /// How long `/internal/verify` may answer a session from memory (SessionCache); 0 turns it off.
    var sessionCacheSeconds: Double
    /// Concurrent PBKDF2 runs (the rest of the cores stay free for other requests).
    var hashConcurrency: Int
    /// Requests that may hold a worker while waiting to hash; more are shed with 503.
    var hashQueueLimit: Int
    var limits: RateLimits

    /// Rate-limit knobs: a count per window in seconds.
    struct RateLimits: Sendable {
        var loginPerAccount: Int
        var loginPerAccountWindow: Int
        var loginPerAddress: Int
        var loginPerAddressWindow: Int
        var resetPerEmail: Int
        var resetPerEmailWindow: Int
        var resetPerAddress: Int
        var resetPerAddressWindow: Int
    }

    static let sessionLifetime = 14 * 24 * 3600
    static let resetLifetime = 3600

    init(environment: [String: String]) throws {
        var env = Environment(environment)
        (listen, listenUnix) = env.listeners(default: "127.0.0.1:8081")
        dataDir = env.string("DATA_DIR", default: "./var")
        redis = env.redisURL()
        publicURL = env.baseURL("PUBLIC_URL", default: "http://127.0.0.1:8080")
        logLevel = env.logLevel()
        passwordIterations = env.int("PASSWORD_ITERATIONS", default: 600_000, range: 1...20_000_000)
        let cores = ProcessInfo.processInfo.activeProcessorCount
        workers = env.int("WORKERS", default: 16, range: 2...1024)
        sessionCacheSeconds = env.double("SESSION_CACHE_SECONDS", default: 2, range: 0...60)
        hashConcurrency = env.int("HASH_CONCURRENCY", default: max(1, cores - 1), range: 1...256)
        hashQueueLimit = env.int("HASH_QUEUE_LIMIT", default: max(1, min(8, workers / 2)), range: 1...1024)
        if hashQueueLimit >= workers {
            env.problem("HASH_QUEUE_LIMIT (\(hashQueueLimit)) must be below WORKERS (\(workers)) so other requests never wait behind hashing")
        }
        limits = RateLimits(
            loginPerAccount: env.int("LOGIN_FAILURES_PER_ACCOUNT", default: 5, range: 1...1_000_000),
            loginPerAccountWindow: env.int("LOGIN_FAILURES_PER_ACCOUNT_WINDOW", default: 900, range: 1...86_400),
            loginPerAddress: env.int("LOGIN_FAILURES_PER_ADDRESS", default: 20, range: 1...1_000_000),
            loginPerAddressWindow: env.int("LOGIN_FAILURES_PER_ADDRESS_WINDOW", default: 900, range: 1...86_400),
            resetPerEmail: env.int("RESET_REQUESTS_PER_EMAIL", default: 3, range: 1...1_000_000),
            resetPerEmailWindow: env.int("RESET_REQUESTS_PER_EMAIL_WINDOW", default: 3600, range: 1...86_400),
            resetPerAddress: env.int("RESET_REQUESTS_PER_ADDRESS", default: 20, range: 1...1_000_000),
            resetPerAddressWindow: env.int("RESET_REQUESTS_PER_ADDRESS_WINDOW", default: 3600, range: 1...86_400))
        if let file = env.optionalString("COMMON_PASSWORDS_FILE") {
            commonPasswordsFile = file
        } else if let found = AuthConfig.findCommonPasswords() {
            commonPasswordsFile = found
        } else {
            commonPasswordsFile = ""
            env.problem("COMMON_PASSWORDS_FILE is not set and common-passwords.txt was not found next to the executable")
        }
        if !commonPasswordsFile.isEmpty && !FileManager.default.isReadableFile(atPath: commonPasswordsFile) {
            env.problem("COMMON_PASSWORDS_FILE \"\(commonPasswordsFile)\" is not a readable file")
        }
        try env.validate()
    }

    var secureCookies: Bool { publicURL.hasPrefix("https://") }

    /// `scheme://host[:port]` of PUBLIC_URL, as browsers send it in `Origin` (default ports omitted).
    var publicOrigin: String {
        guard let c = URLComponents(string: publicURL), let scheme = c.scheme?.lowercased(), let host = c.host?.lowercased()
        else { return publicURL }
        let defaultPort = scheme == "https" ? 443 : 80
        let hostPart = host.contains(":") ? "[\(host)]" : host
        if let port = c.port, port != defaultPort { return "\(scheme)://\(hostPart):\(port)" }
        return "\(scheme)://\(hostPart)"
    }

    var databasePath: String { dataDir + "/chat.db" }
    var mediaDir: String { dataDir + "/media" }

    /// The folder of this source file, as the compiler saw it.
    static let sourceDirectory: String = {
        let file = #filePath
        return file.lastIndex(of: "/").map { String(file[..<$0]) } ?? "."
    }()

    /// Looks for the list beside the executable, in `../share/chat` (an installed copy, as in the
    /// container image), or in the source tree the executable was built from (`make run`, tests).
    static func findCommonPasswords() -> String? {
        let exe = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments[0])
        let dir = exe.deletingLastPathComponent().path
        let candidates = [
            dir + "/common-passwords.txt",
            dir + "/../share/chat/common-passwords.txt",
            sourceDirectory + "/Resources/common-passwords.txt",
        ]
        return candidates.first { FileManager.default.isReadableFile(atPath: $0) }
    }
}
