import Foundation
import HTTP
import Redis
import Runtime
import Testing
import TestSupport

@testable import mail_svc

@Suite(.timeLimit(.minutes(1)))
struct MailServiceTests {
    let token = "Zm9vYmFyLXRva2VuLXZhbHVlLWZvci10ZXN0aW5nXzEyMw"

    @Test func deliversThePasswordResetMail() throws {
        let redis = try RedisServer.start()
        let smtp = try SMTPServer.start()
        let data = TempDir()
        defer { smtp.stop(); redis.stop() }
        let queue = QueueView(redis)
        try withMailService(.make(redis: redis, smtp: smtp, data: data)) { _, logs in
            try queue.push(resetJob(id: "job-1", token: token))
            let mail = try #require(smtp.waitForMessages(count: 1).first)
            #expect(mail.mailFrom == "noreply@chat.example")
            #expect(mail.recipients == ["ada@example.com"])
            let headers = mail.headers
            #expect(headers["from"] == "Chat <noreply@chat.example>")
            #expect(headers["to"] == "<ada@example.com>")
            #expect(headers["subject"] == "Reset your password")
            #expect(headers["mime-version"] == "1.0")
            #expect(headers["date"]?.hasSuffix("+0000") == true)
            #expect(headers["message-id"]?.hasSuffix("@chat.example>") == true)
            #expect(headers["content-type"]?.hasPrefix("multipart/alternative;") == true)

            let boundary = try #require(MailDecoding.boundary(headers["content-type"] ?? ""))
            let parts = MailDecoding.parts(mail.text, boundary: boundary)
            #expect(parts.count == 2)
            let link = "https://chat.example/reset-password#token=\(token)"
            let text = try #require(parts.first { $0.headers.contains("text/plain") })
            #expect(text.body.contains("Hello ada,"))
            #expect(text.body.contains("\r\n\(link)\r\n"))
            #expect(text.body.contains("expires in one hour"))
            let html = try #require(parts.first { $0.headers.contains("text/html") })
            #expect(html.body.contains("<a href=\"\(link)\">"))

            #expect(ServerProcess.waitUntil(timeout: 5) { queue.length("mail:processing") == 0 })
            #expect(queue.length("mail:queue") == 0)
            #expect(logs.captured.contains { $0.contains("mail sent") && $0.contains("mail.id=job-1") })
            #expect(!logs.captured.contains { $0.contains(token) }, "the token never reaches the log")
        }
    }

    @Test func smtpDownForAWhileThenUpDeliversExactlyOnce() throws {
        let redis = try RedisServer.start()
        let smtp = try SMTPServer.start()
        let data = TempDir()
        defer { smtp.stop(); redis.stop() }
        smtp.stop()
        let queue = QueueView(redis)
        try withMailService(.make(redis: redis, smtp: smtp, data: data)) { _, logs in
            try queue.push(resetJob(id: "job-2", token: token))
            #expect(ServerProcess.waitUntil(timeout: 10) { logs.captured.filter { $0.contains("will retry") }.count >= 2 })
            #expect(queue.length("mail:processing") + queue.retries + queue.length("mail:queue") == 1)
            try smtp.start()
            #expect(smtp.waitForMessages(count: 1).count == 1)
            #expect(ServerProcess.waitUntil(timeout: 5) { queue.length("mail:processing") == 0 && queue.retries == 0 })
            Thread.sleep(forTimeInterval: 1.5)
            #expect(smtp.messages().count == 1, "exactly once")
            #expect(!logs.captured.contains { $0.contains(token) })
        }
    }

    @Test func deadLettersAfterTheLastAttempt() throws {
        let redis = try RedisServer.start()
        let smtp = try SMTPServer.start(rejectWith: 451)
        let data = TempDir()
        defer { smtp.stop(); redis.stop() }
        let queue = QueueView(redis)
        let config = MailConfig.make(
            redis: redis, smtp: smtp, data: data, extra: ["MAIL_RETRY_BASE_SECONDS": "0.1", "MAIL_MAX_ATTEMPTS": "3"])
        try withMailService(config) { _, logs in
            try queue.push(resetJob(id: "job-3", token: token))
            #expect(ServerProcess.waitUntil(timeout: 15) { queue.dead.count == 1 })
            let dead = try #require(queue.dead.first)
            #expect(dead["id"] as? String == "job-3")
            #expect(dead["attempts"] as? Int == 3)
            #expect(dead["token"] == nil, "no live reset token in the dead-letter list")
            #expect((dead["last_error"] as? String)?.contains("451") == true)
            #expect(queue.length("mail:processing") == 0 && queue.retries == 0 && queue.length("mail:queue") == 0)
            let line = try #require(logs.captured.first { $0.contains("dead-lettered") })
            #expect(line.contains("451") && line.contains("mail.id=job-3"))
            #expect(!logs.captured.contains { $0.contains(token) })
        }
    }

    @Test func invalidJobsGoStraightToTheDeadLetterList() throws {
        let redis = try RedisServer.start()
        let data = TempDir()
        defer { redis.stop() }
        let queue = QueueView(redis)
        try withMailService(.make(redis: redis, smtp: nil, data: data)) { _, _ in
            try queue.push(Array("not json".utf8))
            try queue.push(resetJob(id: "bad-to", to: "x@y.z>\r\nBcc: <evil@z.z"))
            try queue.push(resetJob(id: "bad-token", token: "short\"><script>"))
            #expect(ServerProcess.waitUntil(timeout: 10) { queue.dead.count == 2 && queue.length("mail:dead") == 3 })
            #expect(queue.length("mail:processing") == 0)
            #expect((try? FileManager.default.contentsOfDirectory(atPath: data.file("mail")))?.isEmpty ?? true)
        }
    }

    @Test func writesAnEMLFileWithoutSMTP() throws {
        let redis = try RedisServer.start()
        let data = TempDir()
        defer { redis.stop() }
        let queue = QueueView(redis)
        try withMailService(.make(redis: redis, smtp: nil, data: data)) { _, logs in
            try queue.push(resetJob(id: "job-4", token: token))
            let directory = data.file("mail")
            #expect(ServerProcess.waitUntil(timeout: 10) {
                ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).contains { $0.hasSuffix(".eml") }
            })
            let name = try #require(try FileManager.default.contentsOfDirectory(atPath: directory).first { $0.hasSuffix("-job-4.eml") })
            let path = directory + "/" + name
            let text = try String(contentsOfFile: path, encoding: .utf8)
            #expect(text.contains("Subject: Reset your password\r\n"))
            #expect(MailDecoding.quotedPrintable(text).contains("https://chat.example/reset-password#token=\(token)"))
            let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
            #expect(mode == 0o600)
            #expect(try FileManager.default.attributesOfItem(atPath: directory)[.posixPermissions] as? Int == 0o700)
            #expect(logs.captured.contains { $0.contains("mail written") && $0.contains(path) })
            #expect(!logs.captured.contains { $0.contains(token) })
            #expect(ServerProcess.waitUntil(timeout: 5) { queue.length("mail:processing") == 0 })
        }
    }

    @Test func requeuesJobsLeftInProcessingOnStart() throws {
        let redis = try RedisServer.start()
        let smtp = try SMTPServer.start()
        let data = TempDir()
        defer { smtp.stop(); redis.stop() }
        let queue = QueueView(redis)
        try queue.client.lpush("mail:processing", resetJob(id: "orphan", token: token))
        withMailService(.make(redis: redis, smtp: smtp, data: data)) { _, logs in
            #expect(smtp.waitForMessages(count: 1).count == 1)
            #expect(ServerProcess.waitUntil(timeout: 5) { queue.length("mail:processing") == 0 })
            #expect(logs.captured.contains { $0.contains("requeued mail left in processing") })
        }
    }

    @Test func healthzFollowsRedis() throws {
        let redis = try RedisServer.start()
        let data = TempDir()
        defer { redis.stop() }
        let sink = LogSink.memory()
        let service = MailService(config: .make(redis: redis, smtp: nil, data: data), log: Log(service: "mail-svc", sink: sink))
        let server = try Server(
            router: service.routes, config: ServerConfig(listen: HostPort(host: "127.0.0.1", port: 0), loops: 1, workers: 2),
            log: Log(service: "mail-svc", sink: sink))
        try server.start()
        defer { server.shutdown(); server.wait() }
        #expect(try TestHTTP.get(server.port, "/healthz").status == 200)
        redis.stop()
        #expect(try TestHTTP.get(server.port, "/healthz").status == 503)
        try redis.restart()
        #expect(try TestHTTP.get(server.port, "/healthz").status == 200)
    }

    @Test func configRejectsBadValuesAllAtOnce() {
        let error = #expect(throws: ConfigError.self) {
            try MailConfig(environment: [
                "SMTP_URL": "http://x", "SMTP_STARTTLS": "maybe", "MAIL_FROM": "not an address", "REDIS_URL": "tcp://x",
            ])
        }
        #expect(error?.problems.count == 4)
        #expect(error?.description.contains("SMTP_URL") == true)
    }

    @Test func defaultBackoffRetriesForMoreThanHalfAnHour() throws {
        let config = try MailConfig(environment: [:])
        #expect(config.retryWindow >= 30 * 60)
        #expect(config.retryDelay(afterAttempt: 1) == 30)
        #expect(config.retryDelay(afterAttempt: 10) == 900)
    }
}
