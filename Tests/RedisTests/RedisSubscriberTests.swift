import Foundation
import Redis
import Runtime
import Synchronization
import Testing
import TestSupport

/// Collects what a subscriber delivers, for assertions from the test thread.
final class Inbox: Sendable {
    let messages = Mutex<[(String, [UInt8])]>([])
    let restored = Atomic<Int>(0)

    func payloads(on channel: String) -> [String] {
        messages.withLock { $0.filter { $0.0 == channel }.map { String(decoding: $0.1, as: UTF8.self) } }
    }

    func makeSubscriber(
        port: UInt16, credentials: RedisCredentials? = nil, log: Log = Log(service: "test", sink: .memory())
    ) -> RedisSubscriber {
        RedisSubscriber(
            host: "127.0.0.1", port: port, credentials: credentials, log: log, connectTimeout: 1, commandTimeout: 1,
            onMessage: { channel, payload in self.messages.withLock { $0.append((channel, payload)) } },
            onLinkRestored: { self.restored.add(1, ordering: .sequentiallyConsistent) })
    }
}

/// A private redis-server and a started subscriber on it (with its inbox); both stop after `body`.
func withSubscriber(_ body: (RedisServer, Inbox, RedisSubscriber) throws -> Void) throws {
    let redis = try RedisServer.start()
    defer { redis.stop() }
    let inbox = Inbox()
    let subscriber = inbox.makeSubscriber(port: redis.port)
    subscriber.start()
    defer { subscriber.stop() }
    try body(redis, inbox, subscriber)
}

@Suite(.timeLimit(.minutes(1)))
struct RedisSubscriberTests {
    @Test func receivesMessagesOnSubscribedChannels() throws {
        try withSubscriber { redis, inbox, subscriber in
            subscriber.subscribe(["room:1", "user:7"])
            #expect(ServerProcess.waitUntil(timeout: 5) { subscriber.activeChannels == ["room:1", "user:7"] })
            #expect(subscriber.isConnected)

            let client = RedisClient(host: "127.0.0.1", port: redis.port)
            let binary: [UInt8] = [0x00, 0xFF, 0x7B, 0x0A]
            #expect(try client.publish("room:1", Array(#"{"type":"message"}"#.utf8)) == 1)
            try client.publish("user:7", binary)
            try client.publish("room:2", Array("not subscribed".utf8))
            #expect(ServerProcess.waitUntil(timeout: 5) { inbox.messages.withLock { $0.count } == 2 })
            #expect(inbox.payloads(on: "room:1") == [#"{"type":"message"}"#])
            #expect(inbox.messages.withLock { $0.first { $0.0 == "user:7" }?.1 } == binary)
            #expect(inbox.restored.load(ordering: .sequentiallyConsistent) == 0, "a first connect is not a restore")
        }
    }

    @Test func deliversManyMessagesInOrder() throws {
        try withSubscriber { redis, inbox, subscriber in
            subscriber.subscribe(["bulk"])
            #expect(ServerProcess.waitUntil(timeout: 5) { subscriber.activeChannels == ["bulk"] })
            let client = RedisClient(host: "127.0.0.1", port: redis.port)
            _ = try client.pipeline((0..<2000).map { ["PUBLISH", "bulk", "\($0)"] })
            #expect(ServerProcess.waitUntil(timeout: 10) { inbox.messages.withLock { $0.count } == 2000 })
            #expect(inbox.payloads(on: "bulk") == (0..<2000).map { "\($0)" })
        }
    }

    @Test func unsubscribeStopsDelivery() throws {
        try withSubscriber { redis, inbox, subscriber in
            subscriber.subscribe(["a", "b"])
            #expect(ServerProcess.waitUntil(timeout: 5) { subscriber.activeChannels == ["a", "b"] })
            subscriber.unsubscribe(["a"])
            let client = RedisClient(host: "127.0.0.1", port: redis.port)
            try client.publish("a", Array("dropped at once".utf8))  // may reach Redis before the UNSUBSCRIBE
            #expect(ServerProcess.waitUntil(timeout: 5) { subscriber.activeChannels == ["b"] })
            #expect(try client.publish("a", Array("after".utf8)) == 0)
            try client.publish("b", Array("still here".utf8))
            #expect(ServerProcess.waitUntil(timeout: 5) { inbox.payloads(on: "b") == ["still here"] })
            #expect(inbox.payloads(on: "a").isEmpty)
            subscriber.subscribe(["a"])
            #expect(ServerProcess.waitUntil(timeout: 5) { subscriber.activeChannels == ["a", "b"] })
            try client.publish("a", Array("back".utf8))
            #expect(ServerProcess.waitUntil(timeout: 5) { inbox.payloads(on: "a") == ["back"] })
        }
    }

    /// Thousands of sockets coming and going, as when every tab reconnects at once: each change is
    /// sent on its own, and Redis ends with exactly the wanted channels.
    @Test func manySmallChangesFromManyThreadsEndInTheWantedSet() throws {
        try withSubscriber { redis, _, subscriber in
            subscriber.subscribe(["room:0"])
            #expect(ServerProcess.waitUntil(timeout: 5) { subscriber.isConnected })
            DispatchQueue.concurrentPerform(iterations: 4) { worker in
                for i in stride(from: worker, to: 4000, by: 4) {
                    subscriber.subscribe(["user:\(i)", "room:\(i % 100)"])
                    if i % 3 == 0 { subscriber.unsubscribe(["user:\(i)"]) }  // a socket that closed at once
                    if i % 5 == 0 && i >= 4 { subscriber.unsubscribe(["user:\(i - 4)"]) }  // or a little later
                }
            }
            let kept = (0..<4000).filter { $0 % 3 != 0 && ($0 + 4) % 5 != 0 }
            let wanted = Set(kept.map { "user:\($0)" } + (0..<100).map { "room:\($0)" })
            #expect(ServerProcess.waitUntil(timeout: 10) { subscriber.activeChannels == wanted })
            let client = RedisClient(host: "127.0.0.1", port: redis.port)
            let counts = try client.pipeline([["PUBSUB", "NUMSUB", "user:2", "user:3", "user:6", "user:11", "room:99"]])
            #expect(counts.first?.array?.compactMap(\.int) == [1, 0, 0, 0, 1])
        }
    }

    @Test func survivesARedisRestartAndReportsTheGap() throws {
        let redis = try RedisServer.start()
        defer { redis.stop() }
        let inbox = Inbox()
        let logs = LogSink.memory()
        let subscriber = inbox.makeSubscriber(port: redis.port, log: Log(service: "test", sink: logs))
        subscriber.start()
        defer { subscriber.stop() }
        subscriber.subscribe(["room:1"])
        #expect(ServerProcess.waitUntil(timeout: 5) { subscriber.activeChannels == ["room:1"] })
        let client = RedisClient(host: "127.0.0.1", port: redis.port)
        try client.publish("room:1", Array("before".utf8))
        #expect(ServerProcess.waitUntil(timeout: 5) { inbox.payloads(on: "room:1") == ["before"] })

        redis.kill()
        #expect(ServerProcess.waitUntil(timeout: 5) { !subscriber.isConnected })
        Thread.sleep(forTimeInterval: 0.5)  // let a few reconnect attempts fail
        subscriber.subscribe(["room:2"])  // wanted while down: subscribed once back
        try redis.restart()

        #expect(ServerProcess.waitUntil(timeout: 10) { inbox.restored.load(ordering: .sequentiallyConsistent) == 1 })
        #expect(subscriber.activeChannels == ["room:1", "room:2"], "re-subscribed before reporting the restore")
        try client.publish("room:1", Array("after".utf8))
        try client.publish("room:2", Array("new".utf8))
        #expect(ServerProcess.waitUntil(timeout: 5) { inbox.payloads(on: "room:2") == ["new"] })
        #expect(inbox.payloads(on: "room:1") == ["before", "after"])
        #expect(logs.captured.contains { $0.contains("redis subscriber link lost") })
    }

    @Test func startsBeforeRedisIsUpAndReportsTheGapOnceConnected() throws {
        let redis = try RedisServer.start()
        redis.stop()
        let inbox = Inbox()
        let subscriber = inbox.makeSubscriber(port: redis.port)
        subscriber.subscribe(["early"])
        subscriber.start()
        defer { subscriber.stop() }
        Thread.sleep(forTimeInterval: 0.3)
        #expect(!subscriber.isConnected)
        try redis.restart()
        defer { redis.stop() }
        #expect(ServerProcess.waitUntil(timeout: 10) { inbox.restored.load(ordering: .sequentiallyConsistent) == 1 })
        #expect(subscriber.activeChannels == ["early"])
    }

    @Test func aStalledServerTimesOutTheSubscribeAndTheLinkRecovers() throws {
        try withSubscriber { redis, inbox, subscriber in
            #expect(ServerProcess.waitUntil(timeout: 5) { subscriber.isConnected })
            redis.pause()
            subscriber.subscribe(["slow"])
            // commandTimeout is 1 s: the unanswered SUBSCRIBE drops the link.
            #expect(ServerProcess.waitUntil(timeout: 5) { !subscriber.isConnected })
            redis.resume()
            #expect(ServerProcess.waitUntil(timeout: 10) { subscriber.activeChannels == ["slow"] })
            #expect(inbox.restored.load(ordering: .sequentiallyConsistent) >= 1)
        }
    }

    @Test func stopFromInsideOnMessageDoesNotDeadlock() throws {
        let redis = try RedisServer.start()
        defer { redis.stop() }
        let box = Mutex<RedisSubscriber?>(nil)
        let got = Atomic<Bool>(false)
        let subscriber = RedisSubscriber(
            host: "127.0.0.1", port: redis.port, log: Log(service: "test", sink: .memory()),
            onMessage: { _, _ in
                box.withLock { $0 }?.stop()
                got.store(true, ordering: .sequentiallyConsistent)
            },
            onLinkRestored: {})
        box.withLock { $0 = subscriber }
        subscriber.subscribe(["x"])
        subscriber.start()
        #expect(ServerProcess.waitUntil(timeout: 5) { subscriber.activeChannels == ["x"] })
        try RedisClient(host: "127.0.0.1", port: redis.port).publish("x", [1])
        #expect(ServerProcess.waitUntil(timeout: 5) { got.load(ordering: .sequentiallyConsistent) })
        subscriber.stop()
        #expect(!subscriber.isConnected)
        box.withLock { $0 = nil }
    }
}
