import Foundation
import Testing
import TestSupport

/// The built `auth-svc` binary as a child process: what `serve()` does on SIGTERM, which only a
/// real process shows (the signal thread, the drain, `onShutdown`, the exit status).
///
/// A request is held in flight without timing guesses: Redis is paused (SIGSTOP), so `/healthz`
/// waits inside its PING, and the test sees the PING arrive in the paused Redis's socket queue.
@Suite(.timeLimit(.minutes(1)))
struct ServeProcessTests {
    static var binary: String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/auth-svc").path
    }

    /// auth-svc on a free port, answering `/healthz`. It finds its common-passwords list in the
    /// resource bundle next to the binary, as in the container image.
    static func launch(redis: RedisServer, data: TempDir) throws -> (ServerProcess, UInt16) {
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw TestServerError("\(binary) is missing: run `swift build --product auth-svc` first")
        }
        let port = ServerProcess.freeLoopbackPort()
        let process = ServerProcess(executable: binary, arguments: [], logPath: data.file("auth-svc.log"))
        var env = ProcessInfo.processInfo.environment
        env["COMMON_PASSWORDS_FILE"] = nil
        env.merge([
            "LISTEN": "127.0.0.1:\(port)", "REDIS_URL": redis.url, "DATA_DIR": data.path,
            "PUBLIC_URL": "http://chat.test", "PASSWORD_ITERATIONS": "1000", "LOG_LEVEL": "info",
        ]) { _, new in new }
        try process.launch(environment: env)
        let up = ServerProcess.waitUntil(timeout: 20) { (try? TestHTTP.get(port, "/healthz"))?.status == 200 }
        guard up else {
            process.kill()
            throw TestServerError("auth-svc did not answer /healthz: \(process.logText)")
        }
        return (process, port)
    }

    /// True when a connection to Redis holds bytes Redis has not read: the service's PING, sent
    /// while Redis is stopped. Read from /proc/net/tcp (local port `port`, state ESTABLISHED).
    static func unreadBytesReachRedis(port: UInt16) -> Bool {
        // Read to EOF: /proc files report size 0, which whole-file readers take at its word.
        guard let file = FileHandle(forReadingAtPath: "/proc/net/tcp") else { return false }
        defer { try? file.close() }
        let table = String(decoding: file.readDataToEndOfFile(), as: UTF8.self)
        let local = String(format: ":%04X", port)
        for line in table.split(separator: "\n").dropFirst() {
            let f = line.split(separator: " ")
            guard f.count > 4, f[1].hasSuffix(local), f[3] == "01" else { continue }
            let queues = f[4].split(separator: ":")  // tx_queue:rx_queue, hex
            if queues.count == 2, let rx = Int(queues[1], radix: 16), rx > 0 { return true }
        }
        return false
    }

    @Test func sigtermLetsAnInFlightRequestFinishThenExitsZero() throws {
        let redis = try RedisServer.start()
        let data = TempDir()
        defer { redis.resume(); redis.stop() }
        let (process, port) = try Self.launch(redis: redis, data: data)
        defer { process.kill() }

        redis.pause()
        let client = try TestConnection(port: port, timeout: 20)
        try client.send("GET /healthz HTTP/1.1\r\nHost: chat.test\r\n\r\n")
        #expect(ServerProcess.waitUntil(timeout: 10) { Self.unreadBytesReachRedis(port: redis.port) },
                "the handler reached Redis")

        process.signal(SIGTERM, wait: false)
        #expect(ServerProcess.waitUntil(timeout: 10) { process.logText.contains("msg=stopping signal=SIGTERM") })
        #expect(ServerProcess.waitUntil(timeout: 3) { TestConnection.refused(port: port) }, "no new connections once stopping")
        Thread.sleep(forTimeInterval: 0.3)
        #expect(process.isRunning, "waits for the request in flight")

        redis.resume()
        let response = try client.readResponse()
        #expect(response.status == 200)
        #expect(response.headers["Connection"]?.lowercased() == "close")
        client.close()  // as a client does after `Connection: close`; else the server lingers up to 2 s for it
        #expect(process.waitForExit(timeout: 10), "exits within the grace period")
        #expect(process.exitStatus == 0)

        let log = process.logText
        let stopping = try #require(log.range(of: "msg=stopping"))
        let answered = try #require(log.range(of: "msg=request http.method=GET http.path=/healthz http.status=200",
                                              range: stopping.upperBound..<log.endIndex))
        #expect(log.range(of: "msg=stopped", range: answered.upperBound..<log.endIndex) != nil)
    }

    @Test func sigtermClosesIdleConnectionsAndExitsAtOnce() throws {
        let redis = try RedisServer.start()
        let data = TempDir()
        defer { redis.stop() }
        let (process, port) = try Self.launch(redis: redis, data: data)
        defer { process.kill() }

        let idle = try TestConnection(port: port, timeout: 10)
        try idle.send("GET /healthz HTTP/1.1\r\nHost: chat.test\r\n\r\n")
        #expect(try idle.readResponse().status == 200)  // now idle, kept alive

        let start = Date()
        process.signal(SIGTERM, wait: false)
        #expect(idle.isClosedByPeer(), "the idle keep-alive connection is closed")
        #expect(process.waitForExit(timeout: 5))
        #expect(Date().timeIntervalSince(start) < 5, "no wait for the 10 s grace period when nothing is in flight")
        #expect(process.exitStatus == 0)
        #expect(process.logText.contains("msg=stopped"))
    }
}

extension TestConnection {
    /// True when nothing accepts connections on 127.0.0.1:`port`.
    static func refused(port: UInt16) -> Bool {
        (try? TestConnection(port: port, timeout: 2)) == nil
    }
}
