import Foundation
import Redis
import Testing
import TestSupport

@Suite(.timeLimit(.minutes(1)))
struct RedisClientTests {
    @Test func runsCommandsAndParsesReplies() throws {
        let redis = try RedisServer.start()
        defer { redis.stop() }
        let client = RedisClient(host: "127.0.0.1", port: redis.port)
        #expect(client.ping())
        #expect(try client.command("SET", "greeting", "héllo").string == "OK")
        #expect(try client.command("GET", "greeting") == .bulk(Array("héllo".utf8)))
        #expect(try client.command("INCRBY", "n", "41").int == 41)
        #expect(try client.command("GET", "missing").isNull)
        try client.command("RPUSH", "list", "a", "b")
        #expect(try client.command("LRANGE", "list", "0", "-1") == .array([.bulk([97]), .bulk([98])]))
    }

    @Test func errorRepliesThrowWithTheServerMessage() throws {
        let redis = try RedisServer.start()
        defer { redis.stop() }
        let client = RedisClient(host: "127.0.0.1", port: redis.port)
        try client.command("SET", "s", "text")
        let error = #expect(throws: RedisError.self) { try client.command("LPUSH", "s", "x") }
        #expect(error?.code == RedisError.replyError)
        #expect(error?.message.hasPrefix("WRONGTYPE") == true)
        #expect(client.ping(), "an error reply leaves the connection usable")
    }

    @Test func argumentsAndRepliesAreBinarySafe() throws {
        let redis = try RedisServer.start()
        defer { redis.stop() }
        let client = RedisClient(host: "127.0.0.1", port: redis.port)
        let key: [UInt8] = [0x6B, 0x00, 0xFF]
        let value: [UInt8] = [0x00, 0x01, 0xC3, 0x28, 0xFF, 0xFE, 0x00, 0x0D, 0x0A]
        try client.command(argv: [Array("SET".utf8), key, value])
        #expect(try client.command(argv: [Array("GET".utf8), key]).bytes == value)
        #expect(try client.command(argv: [Array("STRLEN".utf8), key]).int == value.count)
        try client.command(argv: [Array("SET".utf8), Array("empty".utf8), []])
        #expect(try client.command("GET", "empty") == .bulk([]))
    }

    @Test func pipelineReturnsEveryReplyInOrder() throws {
        let redis = try RedisServer.start()
        defer { redis.stop() }
        let client = RedisClient(host: "127.0.0.1", port: redis.port)
        let commands = (0..<100).map { ["RPUSH", "p", "\($0)"] } + [["LLEN", "p"], ["HGET", "p", "x"], ["PING"]]
        let replies = try client.pipeline(commands)
        #expect(replies.count == 103)
        #expect(replies[0].int == 1 && replies[99].int == 100)
        #expect(replies[100].int == 100)
        guard case .error(let message) = replies[101] else {
            Issue.record("expected an error reply, got \(replies[101])")
            return
        }
        #expect(message.hasPrefix("WRONGTYPE"))
        #expect(replies[102].string == "PONG")
    }

    @Test func commandTimesOutAgainstAStalledServerAndRecovers() throws {
        let redis = try RedisServer.start()
        defer { redis.stop() }
        let client = RedisClient(host: "127.0.0.1", port: redis.port, poolSize: 2, commandTimeout: 0.3)
        #expect(client.ping())
        redis.pause()
        let error = #expect(throws: RedisError.self) { try client.command("GET", "k") }
        #expect(error?.isTimeout == true, "got \(String(describing: error))")
        redis.resume()
        #expect(ServerProcess.waitUntil(timeout: 5) { client.ping() })
        #expect(try client.command("SET", "k", "v").string == "OK")
    }

    @Test func slowCommandTimesOutWithDebugSleep() throws {
        let redis = try RedisServer.start()
        defer { redis.stop() }
        let client = RedisClient(host: "127.0.0.1", port: redis.port, commandTimeout: 0.2)
        let error = #expect(throws: RedisError.self) { try client.command("DEBUG", "SLEEP", "1") }
        #expect(error?.isTimeout == true)
        #expect(ServerProcess.waitUntil(timeout: 5) { client.ping() })
    }

    @Test func connectFailsFastWhenNothingListens() throws {
        let port = ServerProcess.freeLoopbackPort()
        let client = RedisClient(host: "127.0.0.1", port: port, connectTimeout: 0.5)
        #expect(!client.ping())
        #expect(throws: RedisError.self) { try client.command("PING") }
    }

    @Test func reconnectsAfterServerRestart() throws {
        let redis = try RedisServer.start()
        defer { redis.stop() }
        let client = RedisClient(host: "127.0.0.1", port: redis.port, poolSize: 3)
        // Warm several pooled connections, then restart under them.
        DispatchQueue.concurrentPerform(iterations: 6) { _ in _ = client.ping() }
        try redis.restart()
        #expect(try client.command("SET", "after", "restart").string == "OK", "stale pooled sockets are not reused")
        redis.kill()
        #expect(!client.ping())
        try redis.restart()
        #expect(client.ping())
    }

    @Test func poolServesManyThreads() throws {
        let redis = try RedisServer.start()
        defer { redis.stop() }
        let client = RedisClient(host: "127.0.0.1", port: redis.port, poolSize: 3)
        DispatchQueue.concurrentPerform(iterations: 8) { i in
            for j in 0..<50 { _ = try? client.command("INCR", "counter") ; _ = j; _ = i }
        }
        #expect(try client.command("GET", "counter").int == 400)
    }

    @Test func queueMovesOldestJobFirstAndRemovesOnlyOnConfirm() throws {
        let redis = try RedisServer.start()
        defer { redis.stop() }
        let client = RedisClient(host: "127.0.0.1", port: redis.port)
        try client.lpush("q", Array("first".utf8))
        try client.lpush("q", [0x00, 0xFF])
        #expect(try client.blmove(from: "q", to: "processing", timeout: 1) == Array("first".utf8))
        #expect(try client.command("LLEN", "processing").int == 1)
        #expect(try client.blmove(from: "q", to: "processing", timeout: 1) == [0x00, 0xFF])
        #expect(try client.blmove(from: "q", to: "processing", timeout: 0.1) == nil)
        #expect(try client.lrem("processing", Array("first".utf8)) == 1)
        #expect(try client.lrem("processing", Array("first".utf8)) == 0)
        #expect(try client.command("LRANGE", "processing", "0", "-1") == .array([.bulk([0x00, 0xFF])]))
    }

    @Test func blmoveWaitsLongerThanTheCommandTimeoutAndWakesOnPush() throws {
        let redis = try RedisServer.start()
        defer { redis.stop() }
        let client = RedisClient(host: "127.0.0.1", port: redis.port, commandTimeout: 0.3)
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.6) {
            try? client.lpush("q", Array("late".utf8))
        }
        #expect(try client.blmove(from: "q", to: "p", timeout: 5) == Array("late".utf8))
        #expect(client.ping(), "the command timeout is restored after the blocking call")
    }

    @Test func publishCountsReceivers() throws {
        let redis = try RedisServer.start()
        defer { redis.stop() }
        let client = RedisClient(host: "127.0.0.1", port: redis.port)
        #expect(try client.publish("nobody", Array("x".utf8)) == 0)
    }

    @Test func selectsTheDatabaseFromTheURL() throws {
        let redis = try RedisServer.start()
        defer { redis.stop() }
        let url = try #require(RedisURL(parsing: "redis://127.0.0.1:\(redis.port)/3"))
        let client = RedisClient(url: url)
        try client.command("SET", "k", "in-3")
        let zero = RedisClient(host: "127.0.0.1", port: redis.port)
        #expect(try zero.command("GET", "k").isNull)
        #expect(try zero.command("SELECT", "3").string == "OK")
    }
}
