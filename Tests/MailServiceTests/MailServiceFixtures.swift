import Foundation
import Redis
import Runtime
import TestSupport

@testable import mail_svc

/// A job as auth-svc would push it.
func resetJob(id: String = UUID().uuidString, to: String = "ada@example.com", token: String = "tok_" + String(repeating: "A", count: 40))
    -> [UInt8]
{
    let object: [String: Any] = ["id": id, "kind": "password_reset", "to": to, "username": "ada", "token": token, "attempts": 0]
    return Array(try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
}

extension MailConfig {
    static func make(redis: RedisServer, smtp: SMTPServer?, data: TempDir, extra: [String: String] = [:]) -> MailConfig {
        var env = [
            "REDIS_URL": redis.url, "DATA_DIR": data.path, "PUBLIC_URL": "https://chat.example",
            "MAIL_FROM": "Chat <noreply@chat.example>", "MAIL_RETRY_BASE_SECONDS": "0.3", "MAIL_RETRY_MAX_SECONDS": "1",
            "MAIL_MAX_ATTEMPTS": "50", "SMTP_TIMEOUT": "5",
        ]
        if let smtp { env["SMTP_URL"] = "smtp://127.0.0.1:\(smtp.port)" }
        env.merge(extra) { _, new in new }
        var config = try! MailConfig(environment: env)
        config.pollInterval = 0.2
        return config
    }
}

/// Runs a MailService in-process with captured logs; stops it at the end.
func withMailService(_ config: MailConfig, _ body: (MailService, LogSink) throws -> Void) rethrows {
    let sink = LogSink.memory()
    let service = MailService(config: config, log: Log(service: "mail-svc", level: .debug, sink: sink))
    service.start()
    defer { service.stop() }
    try body(service, sink)
}

/// The reliable-queue lists as the test sees them through its own client.
struct QueueView {
    let client: RedisClient
    init(_ redis: RedisServer) { client = RedisClient(host: "127.0.0.1", port: redis.port) }
    func length(_ key: String) -> Int { (try? client.command("LLEN", key))?.int ?? -1 }
    var retries: Int { (try? client.command("ZCARD", "mail:retry"))?.int ?? -1 }
    func push(_ job: [UInt8]) throws { try client.lpush("mail:queue", job) }
    var dead: [[String: Any]] {
        let items = (try? client.command("LRANGE", "mail:dead", "0", "-1"))?.array ?? []
        return items.compactMap { $0.bytes.flatMap { try? JSONSerialization.jsonObject(with: Data($0)) as? [String: Any] } }
    }
}
