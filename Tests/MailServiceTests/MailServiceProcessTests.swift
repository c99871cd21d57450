import Foundation
import Testing
import TestSupport

/// Runs the built `mail-svc` binary as a child process, to test what only a real process shows:
/// a crash (SIGKILL) in the middle of a send, and a graceful SIGTERM.
@Suite(.timeLimit(.minutes(1)))
struct MailServiceProcessTests {
    static var binary: String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/mail-svc").path
    }

    static func launch(redis: RedisServer, smtp: SMTPServer, data: TempDir, logName: String) throws -> ServerProcess {
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw TestServerError("\(binary) is missing: run `swift build --product mail-svc` first")
        }
        let process = ServerProcess(executable: binary, arguments: [], logPath: data.file(logName))
        var env = ProcessInfo.processInfo.environment
        env.merge([
            "LISTEN": "127.0.0.1:\(ServerProcess.freeLoopbackPort())", "REDIS_URL": redis.url, "DATA_DIR": data.path,
            "PUBLIC_URL": "https://chat.example", "SMTP_URL": "smtp://127.0.0.1:\(smtp.port)", "SMTP_TIMEOUT": "30",
            "MAIL_RETRY_BASE_SECONDS": "0.3", "MAIL_RETRY_MAX_SECONDS": "1", "LOG_LEVEL": "debug",
        ]) { _, new in new }
        try process.launch(environment: env)
        return process
    }

    @Test func aJobInFlightWhenTheServiceIsKilledArrivesExactlyOnce() throws {
        let redis = try RedisServer.start(persistent: true)
        let smtp = try SMTPServer.start()
        let data = TempDir()
        defer { smtp.stop(); redis.stop() }
        let queue = QueueView(redis)
        let token = "a-secret-reset-token-value-0123456789_abcdef"

        // The SMTP server hangs: the first run takes the job and blocks inside the send.
        smtp.pause()
        let first = try Self.launch(redis: redis, smtp: smtp, data: data, logName: "first.log")
        try queue.push(resetJob(id: "inflight", token: token))
        #expect(ServerProcess.waitUntil(timeout: 10) { queue.length("mail:processing") == 1 && queue.length("mail:queue") == 0 })
        Thread.sleep(forTimeInterval: 0.3)  // inside curl_easy_perform by now
        first.kill()
        smtp.resume()  // the dead client's connection never completes a message
        #expect(queue.length("mail:processing") == 1, "the job survives the crash")

        let second = try Self.launch(redis: redis, smtp: smtp, data: data, logName: "second.log")
        defer { second.stop() }
        #expect(smtp.waitForMessages(count: 1).count == 1)
        #expect(ServerProcess.waitUntil(timeout: 5) { queue.length("mail:processing") == 0 })
        Thread.sleep(forTimeInterval: 1)
        let mails = smtp.messages()
        #expect(mails.count == 1, "exactly once")
        let body = MailDecoding.quotedPrintable(mails.first.map { $0.text } ?? "")
        #expect(body.contains("#token=\(token)"))
        #expect(second.logText.contains("requeued mail left in processing"))
        #expect(!first.logText.contains(token) && !second.logText.contains(token), "the token never reaches the log")
    }

    @Test func sigtermStopsGracefully() throws {
        let redis = try RedisServer.start()
        let smtp = try SMTPServer.start()
        let data = TempDir()
        defer { smtp.stop(); redis.stop() }
        let process = try Self.launch(redis: redis, smtp: smtp, data: data, logName: "svc.log")
        #expect(ServerProcess.waitUntil(timeout: 10) { process.logText.contains("listening") })
        try QueueView(redis).push(resetJob(id: "before-stop"))
        #expect(smtp.waitForMessages(count: 1).count == 1)
        process.signal(SIGTERM, wait: false)
        #expect(process.waitForExit(timeout: 10))
        #expect(process.exitStatus == 0)
        #expect(process.logText.contains("stopped"))
    }
}
