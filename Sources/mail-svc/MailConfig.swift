import FoundationEssentials
import Glibc
import Mail
import Redis
import Runtime

/// mail-svc settings, from the environment.
struct MailConfig: Sendable {
    /// `LISTEN` (`off`: the Unix socket only).
    var listen: HostPort?
    /// `LISTEN_UNIX`: a Unix socket for `/healthz` as well (or only), for nginx.
    var listenUnix: String?
    var dataDir: String
    var redis: RedisURL
    var publicURL: String
    var logLevel: LogLevel
    /// nil: write `.eml` files under `DATA_DIR/mail/` instead of sending.
    var smtpURL: String?
    var startTLS: SMTPSender.StartTLS
    var smtpUser: String?
    var smtpPassword: String?
    var smtpTimeout: Double
    var from: MailAddress
    /// Delay before retry n (n ≥ 1) is `retryBase * 2^(n-1)`, capped at `retryMax`; after
    /// `maxAttempts` failed attempts the job goes to the dead-letter list.
    var retryBase: Double
    var retryMax: Double
    var maxAttempts: Int
    /// How long one BLMOVE waits before the worker looks at due retries again.
    var pollInterval: Double = 1

    init(environment: [String: String]) throws {
        var env = Environment(environment)
        (listen, listenUnix) = env.listeners(default: "127.0.0.1:8084")
        dataDir = env.string("DATA_DIR", default: "./var")
        redis = env.redisURL()
        publicURL = env.baseURL("PUBLIC_URL", default: "http://127.0.0.1:8080")
        logLevel = env.logLevel()
        smtpURL = env.optionalString("SMTP_URL")
        if let url = smtpURL {
            let lower = url.lowercased()
            if !(lower.hasPrefix("smtp://") || lower.hasPrefix("smtps://")) || URL(string: url)?.host == nil {
                env.problem("SMTP_URL must be smtp://host[:port] or smtps://host[:port]")  // never echo: may hold credentials
            }
        }
        startTLS = env.choice("SMTP_STARTTLS", default: "try", allowed: ["try", "require"]) == "require" ? .require : .try
        smtpUser = env.optionalString("SMTP_USER")
        smtpPassword = env.optionalString("SMTP_PASSWORD")
        if smtpPassword != nil && smtpUser == nil { env.problem("SMTP_PASSWORD is set but SMTP_USER is not") }
        smtpTimeout = env.double("SMTP_TIMEOUT", default: 30, range: 1...600)
        let fromText = env.string("MAIL_FROM", default: "Chat <noreply@localhost>")
        from = MailAddress(parsing: fromText) ?? MailAddress(name: "Chat", address: "noreply@localhost")!
        if MailAddress(parsing: fromText) == nil { env.problem("MAIL_FROM must be an address like Chat <noreply@example.com>, got \"\(fromText)\"") }
        retryBase = env.double("MAIL_RETRY_BASE_SECONDS", default: 30, range: 0.01...3600)
        retryMax = env.double("MAIL_RETRY_MAX_SECONDS", default: 900, range: 0.01...86_400)
        maxAttempts = env.int("MAIL_MAX_ATTEMPTS", default: 8, range: 1...100)
        try env.validate()
    }

    /// Seconds to wait after the `attempt`-th failure.
    func retryDelay(afterAttempt attempt: Int) -> Double {
        min(retryMax, retryBase * pow(2, Double(max(0, min(attempt - 1, 30)))))
    }

    /// Seconds from the first failure to the dead-letter decision (defaults: 45 minutes).
    var retryWindow: Double { (1..<max(1, maxAttempts)).reduce(0) { $0 + retryDelay(afterAttempt: $1) } }

    var mailDirectory: String { joinPath(dataDir, "mail") }
}

/// `directory/name`, with one slash between them.
func joinPath(_ directory: String, _ name: String) -> String {
    directory.hasSuffix("/") ? directory + name : directory + "/" + name
}
