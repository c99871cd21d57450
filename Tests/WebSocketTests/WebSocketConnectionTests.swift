import Foundation
import HTTP
import Testing
@testable import WebSocket

@Suite struct WebSocketConnectionTests {
    @Test func echoesTextMessages() {
        let h = Harness()
        h.context.feed(clientFrame(.text, "hello") + clientFrame(.text, "wo", fin: false) + clientFrame(.continuation, "rld"))
        #expect(h.opened == 1)
        #expect(h.texts == ["hello", "world"])
        #expect(h.context.frames() == [Frame(.text, Array("hello".utf8)), Frame(.text, Array("world".utf8))])
    }

    @Test func processesLeftoverBytesAfterOpen() {
        let h = Harness(leftover: clientFrame(.text, "early"))
        #expect(h.texts == ["early"])
    }

    @Test func answersPingWithPong() {
        let h = Harness()
        h.context.feed(clientFrame(.ping, "are you there"))
        #expect(h.context.frames() == [Frame(.pong, Array("are you there".utf8))])
    }

    @Test func echoesClientCloseThenClosesTCP() {
        let h = Harness()
        h.context.feed(clientFrame(.close, [0x03, 0xE8] + Array("done".utf8)))
        #expect(h.context.frames().first?.closeCode == 1000)
        #expect(h.context.closedGracefully)
        #expect(h.closeCodes == [1000])
        #expect(h.socket.state == .closed)
    }

    @Test func emptyClientCloseGetsEmptyClose() {
        let h = Harness()
        h.context.feed(clientFrame(.close, []))
        #expect(h.context.frames() == [Frame(.close, [])])
        #expect(h.closeCodes == [nil])
    }

    @Test(arguments: [
        (FrameEncoder.text("unmasked"), CloseCode.protocolError),
        (clientFrame(.text, [UInt8](repeating: 0x61, count: 5000)), .tooBig),
        (clientFrame(.text, [0xC0, 0xAF]), .invalidPayload),
        (clientFrame(.binary, [1, 2]), .unsupportedData),
    ])
    func failsWithMatchingCloseCode(bytes: [UInt8], code: CloseCode) {
        let h = Harness()
        h.context.feed(bytes)
        #expect(h.context.frames().first?.closeCode == code.rawValue)
        #expect(h.context.closedGracefully)
        #expect(h.closeCodes == [code.rawValue])
        #expect(h.texts.isEmpty)
    }

    @Test func ignoresInputAfterFailure() {
        let h = Harness()
        h.context.feed(FrameEncoder.text("unmasked") + clientFrame(.text, "after"))
        #expect(h.texts.isEmpty)
    }

    @Test func serverInitiatedCloseWaitsForClientThenCloses() {
        let h = Harness()
        h.socket.close(.goingAway, reason: "restart")
        #expect(h.context.frames().first?.closeCode == 1001)
        #expect(!h.context.closedGracefully)
        #expect(h.socket.send(text: "late") == false)
        h.context.feed(clientFrame(.close, [0x03, 0xE9]))
        #expect(h.context.closedGracefully)
        #expect(h.closeCodes == [1001])
    }

    @Test func serverInitiatedCloseTimesOut() {
        let h = Harness(WebSocketConfiguration(closeTimeout: 2))
        h.socket.close()
        let timeout = h.context.timers.first { $0.seconds == 2 }
        timeout?.work()
        #expect(h.context.closedGracefully)
        #expect(h.closeCodes == [1000])
    }

    @Test func dropsClientWhenWriteIsRefused() {
        let h = Harness()
        h.context.acceptWrites = false
        #expect(h.socket.send(text: "x") == false)
        #expect(h.context.aborted)
        #expect(h.closeCodes == [CloseCode.policyViolation.rawValue])
    }

    @Test func dropsClientWhosePendingBytesPassTheBound() {
        let h = Harness(WebSocketConfiguration(maxPending: 1000))
        h.context.pendingBytes = 990
        #expect(h.socket.send(text: "0123456789") == false)  // 12 bytes framed
        #expect(h.context.aborted)
        #expect(h.closeCodes == [1008])
    }

    @Test func sendsTheSameSharedFrameToManySockets() {
        let frame = SharedBytes(FrameEncoder.text(#"{"type":"message"}"#))
        let harnesses = (0..<5).map { _ in Harness() }
        for h in harnesses { #expect(h.socket.send(shared: frame)) }
        for h in harnesses { #expect(h.context.written == frame.bytes) }
    }

    @Test func enqueuedFramesLeaveTogetherAtFlush() {
        let h = Harness()
        let frame = SharedBytes(FrameEncoder.text("batch"))
        #expect(h.socket.enqueue(shared: frame))
        #expect(h.socket.enqueue(shared: frame))
        #expect(h.context.written.isEmpty)
        h.socket.flush()
        #expect(h.context.written == frame.bytes + frame.bytes)
    }

    @Test func enqueueDropsAClientPastTheBound() {
        let h = Harness(WebSocketConfiguration(maxPending: 20))
        #expect(h.socket.enqueue(shared: SharedBytes(FrameEncoder.text("0123456789"))))
        #expect(h.socket.enqueue(shared: SharedBytes(FrameEncoder.text("0123456789"))) == false)
        #expect(h.context.aborted)
        #expect(h.closeCodes == [1008])
    }

    @Test func serverShutdownClosesWithGoingAway() {
        let h = Harness()
        h.socket.serverStopping()
        #expect(h.context.frames().last?.closeCode == CloseCode.goingAway.rawValue)
        #expect(h.socket.state == .closing)
        h.context.feed(clientFrame(.close, [0x03, 0xE9]))
        #expect(h.context.closedGracefully)
    }

    @Test func pingsOnTheTimer() {
        let h = Harness(WebSocketConfiguration(pingInterval: 30, idleTimeout: 1000))
        #expect(h.context.timers.contains { $0.seconds == 30 })
        h.context.fireTimers()
        #expect(h.context.frames() == [Frame(.ping, [])])
        #expect(h.context.timers.contains { $0.seconds == 30 })  // rescheduled
        #expect(!h.context.closedGracefully)
    }

    @Test func closesSilentClients() throws {
        let h = Harness(WebSocketConfiguration(pingInterval: 1000, idleTimeout: 0.001))
        let idle = try #require(h.context.timers.first { $0.seconds == 0.001 })
        usleep(5_000)  // longer than the idle timeout
        idle.work()
        #expect(h.context.frames().last?.closeCode == 1001)
        #expect(h.context.closedGracefully)
        #expect(h.closeCodes == [1001])
    }

    @Test func trafficKeepsTheSocketOpen() throws {
        let h = Harness(WebSocketConfiguration(pingInterval: 1000, idleTimeout: 60))
        let idle = try #require(h.context.timers.first { $0.seconds == 60 })
        h.context.feed(clientFrame(.pong, []))
        idle.work()  // fires early (the test is faster than 60 s): reschedules for the rest
        #expect(!h.context.closedGracefully)
        #expect(h.context.timers.contains { $0.seconds > 59 && $0.seconds <= 60 && !$0.cancelled })
    }

    @Test func reportsClosedExactlyOnceAndCancelsTimers() {
        let h = Harness()
        h.socket.closed()
        h.socket.closed()
        #expect(h.closeCodes == [nil])
        #expect(h.context.timers.allSatisfy { $0.cancelled })
        #expect(h.socket.send(text: "x") == false)
    }

    @Test func sendFromAnyThreadHopsThroughTheExecutor() {
        let h = Harness()
        h.socket.sendFromAnyThread(SharedBytes(FrameEncoder.text("hop")))
        #expect(h.context.frames() == [Frame(.text, Array("hop".utf8))])
    }
}
