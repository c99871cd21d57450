import Redis
import Runtime
import Testing
import TestSupport

/// A Redis that asks for a password (`requirepass`), and one ACL user: every connection, blocking
/// or subscriber, authenticates before its first command, and a refusal never shows the password.
@Suite(.timeLimit(.minutes(1)))
struct RedisAuthTests {
    @Test func clientsSendThePasswordOrTheACLUserFirst() throws {
        let redis = try RedisServer.start(password: "first-Pass-1")
        defer { redis.stop() }
        let url = try #require(RedisURL(parsing: redis.url + "/2"))
        let client = RedisClient(url: url)
        try client.command("SET", "k", "v")
        #expect(try client.command("GET", "k").string == "v")
        #expect(try client.command("ACL", "WHOAMI").string == "default")

        try client.command("ACL", "SETUSER", "chat", "on", ">chat-Pass-2", "~*", "&*", "+@all")
        let asChat = RedisClient(host: "127.0.0.1", port: redis.port, database: 2,
                                 credentials: RedisCredentials(username: "chat", password: "chat-Pass-2"))
        #expect(try asChat.command("ACL", "WHOAMI").string == "chat")
        #expect(try asChat.command("GET", "k").string == "v", "the database is selected after AUTH")
    }

    @Test func aMissingOrWrongPasswordIsAClearErrorWithoutThePassword() throws {
        let redis = try RedisServer.start(password: "first-Pass-1")
        defer { redis.stop() }
        let anonymous = RedisClient(host: "127.0.0.1", port: redis.port)
        let noAuth = #expect(throws: RedisError.self) { try anonymous.command("GET", "k") }
        #expect(noAuth?.message.hasPrefix("NOAUTH") == true)

        let wrong = RedisClient(host: "127.0.0.1", port: redis.port, credentials: RedisCredentials(password: "guess-Pass-9"))
        let refused = #expect(throws: RedisError.self) { try wrong.command("GET", "k") }
        #expect(refused?.code == RedisError.replyError)
        #expect(refused?.message.hasPrefix("AUTH: WRONGPASS") == true)
        #expect(refused.map { !"\($0)".contains("guess-Pass-9") } == true)
    }

    @Test func theSubscriberAuthenticatesAndKeepsTryingUntilThePasswordIsRight() throws {
        let redis = try RedisServer.start(password: "first-Pass-1")
        defer { redis.stop() }
        let admin = RedisClient(url: try #require(RedisURL(parsing: redis.url)))
        let inbox = Inbox()
        let logs = LogSink.memory()
        let subscriber = inbox.makeSubscriber(
            port: redis.port, credentials: RedisCredentials(password: "later-Pass-3"), log: Log(service: "test", sink: logs))
        subscriber.start()
        defer { subscriber.stop() }
        subscriber.subscribe(["room:1"])

        #expect(ServerProcess.waitUntil(timeout: 5) { logs.captured.contains { $0.contains("AUTH: WRONGPASS") } })
        #expect(!subscriber.isConnected)
        #expect(subscriber.activeChannels.isEmpty)

        try admin.command("CONFIG", "SET", "requirepass", "later-Pass-3")
        #expect(ServerProcess.waitUntil(timeout: 10) { subscriber.activeChannels == ["room:1"] })
        let publisher = RedisClient(host: "127.0.0.1", port: redis.port, credentials: RedisCredentials(password: "later-Pass-3"))
        #expect(try publisher.publish("room:1", Array("hello".utf8)) == 1)
        #expect(ServerProcess.waitUntil(timeout: 5) { inbox.payloads(on: "room:1") == ["hello"] })
        #expect(inbox.restored.load(ordering: .sequentiallyConsistent) == 1, "the first link after failures is a restore")
        #expect(!logs.captured.joined().contains("later-Pass-3"))
    }
}
