import Glibc
import HTTP
import Runtime
import Testing
import TestSupport
import WebSocket

import Redis
@testable import relay_svc

/// The loop of a `LocalHub` under test: work posted to it runs at once (the test is the loop
/// thread); delayed work waits until the test fires it.
final class ManualLoop: LoopExecutor, @unchecked Sendable {
    private(set) var delayed: [(seconds: Double, work: () -> Void)] = []
    /// Wake-ups: work posted from "another thread".
    private(set) var executed = 0
    var inLoop: Bool { true }
    func execute(_ work: @escaping @Sendable () -> Void) {
        executed += 1
        work()
    }
    func after(_ seconds: Double, _ work: @escaping () -> Void) { delayed.append((seconds, work)) }

    func fireDelayed() {
        let due = delayed
        delayed = []
        for (_, work) in due { work() }
    }
}

/// The batch window of the fan-out: an event after a quiet spell leaves at once; events that follow
/// within the window wait for its end and leave together, one write per socket, and wake the loop
/// once.
@Suite struct LocalHubTests {
    let loop = ManualLoop()
    let hub: LocalHub
    let sockets: [(context: RecordingContext, client: Client)]

    init() {
        // A subscriber that is never started: the hub only counts channels here, and no event
        // comes from Redis (the test posts them).
        let subscriber = RedisSubscriber(host: "127.0.0.1", port: 1, log: Log(service: "test", level: .error),
                                         onMessage: { _, _ in }, onLinkRestored: {})
        hub = LocalHub(executor: loop, subscriptions: Subscriptions(subscriber: subscriber), batchWindow: 0.05)
        sockets = (1...3).map { user in
            let context = RecordingContext()
            let socket = WebSocketConnection(log: Log(service: "test", level: .error))
            context.handler = socket
            socket.start(context: context, leftover: [])
            return (context, Client(userID: user, sessionID: nil, userJSON: "{}", rooms: user == 3 ? [8] : [7], socket: socket))
        }
        for (_, client) in sockets { hub.add(client) }
    }

    func post(_ text: String, room: Int = 7) {
        let envelope = Envelope(channel: "room:\(room)", payload: Array(#"{"t":"\#(text)"}"#.utf8))!
        hub.post(LocalHub.Delivery(envelope: envelope, frame: SharedBytes(FrameEncoder.encode(.text, envelope.frame))))
    }

    func received(_ context: RecordingContext) -> String { String(decoding: context.written, as: UTF8.self) }

    @Test func aFirstEventLeavesAtOnceAndFollowersShareOneWriteAtTheWindowEnd() throws {
        post("one")
        for (context, _) in sockets.prefix(2) {
            #expect(context.flushes == 1)
            #expect(received(context).contains(#"{"t":"one"}"#))
        }
        #expect(loop.delayed.isEmpty)

        post("two")
        let wakes = loop.executed
        post("three")
        post("four")
        #expect(loop.executed == wakes, "the pending flush takes them; no wake-up")
        for (context, _) in sockets.prefix(2) {
            #expect(context.flushes == 1, "held for the window")
            #expect(!received(context).contains("two"))
        }
        try #require(loop.delayed.count == 1, "one flush for the whole window")
        #expect(loop.delayed[0].seconds > 0 && loop.delayed[0].seconds <= 0.05)

        loop.fireDelayed()
        for (context, _) in sockets.prefix(2) {
            #expect(context.flushes == 2, "three events, one write")
            let text = received(context)
            let two = try #require(text.range(of: "two")), three = try #require(text.range(of: "three"))
            let four = try #require(text.range(of: "four"))
            #expect(two.lowerBound < three.lowerBound && three.lowerBound < four.lowerBound)
        }
        #expect(sockets[2].context.written.isEmpty, "another room's socket gets nothing")
    }

    @Test func afterAQuietWindowTheNextEventLeavesAtOnceAgain() {
        post("one")
        post("two")
        loop.fireDelayed()
        usleep(60_000)  // longer than the window since the last flush
        post("three")
        #expect(loop.delayed.isEmpty)
        post("four")  // the window opened by "three" holds this one again
        #expect(loop.delayed.count == 1)
        for (context, _) in sockets.prefix(2) {
            #expect(context.flushes == 3)
            #expect(!received(context).contains("four"))
            #expect(received(context).contains("three"))
        }
    }
}
