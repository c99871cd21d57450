import Foundation
import Synchronization
import Testing
@testable import IO

/// Records readiness events for a descriptor.
final class Recorder: EventHandler {
    var events: [UInt32] = []
    var onEvent: (UInt32) -> Void = { _ in }
    func handle(events: UInt32) {
        self.events.append(events)
        onEvent(events)
    }
}

/// Waits (bounded) until `condition` holds.
func eventually(_ seconds: Double = 5, _ condition: () -> Bool) -> Bool {
    let end = Date().addingTimeInterval(seconds)
    while Date() < end {
        if condition() { return true }
        usleep(2_000)
    }
    return condition()
}

func expectEventually(_ seconds: Double = 5, sourceLocation: SourceLocation = #_sourceLocation, _ condition: () -> Bool) {
    let ok = eventually(seconds, condition)
    #expect(ok, sourceLocation: sourceLocation)
}

@Suite(.timeLimit(.minutes(1)))
struct EventLoopTests {
    @Test func executeRunsWorkOnTheLoopThreadInOrder() throws {
        let loop = try EventLoop(name: "test")
        loop.start()
        defer { loop.stop(); loop.join() }
        let seen = Mutex<[Int]>([])
        let onLoop = Atomic<Int>(0)
        for i in 0..<1000 {
            loop.execute {
                seen.withLock { $0.append(i) }
                if loop.inLoop { onLoop.add(1, ordering: .relaxed) }
            }
        }
        expectEventually { seen.withLock { $0.count } == 1000 }
        let seenValue = seen.withLock { $0 }
        #expect(seenValue == Array(0..<1000))
        let onLoopValue = onLoop.load(ordering: .relaxed)
        #expect(onLoopValue == 1000)
        #expect(!loop.inLoop)
    }

    @Test func executeFromManyThreadsLosesNothing() throws {
        let loop = try EventLoop()
        loop.start()
        defer { loop.stop(); loop.join() }
        let count = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            for _ in 0..<500 { loop.execute { count.add(1, ordering: .relaxed) } }
        }
        expectEventually { count.load(ordering: .relaxed) == 4000 }
    }

    @Test func timersFireInDeadlineOrderAndCancelledOnesNever() throws {
        let loop = try EventLoop()
        loop.start()
        defer { loop.stop(); loop.join() }
        let fired = Mutex<[String]>([])
        loop.execute {
            loop.schedule(after: 0.06) { fired.withLock { $0.append("c") } }
            loop.schedule(after: 0.02) { fired.withLock { $0.append("a") } }
            let cancelled = loop.schedule(after: 0.03) { fired.withLock { $0.append("x") } }
            loop.schedule(after: 0.04) { fired.withLock { $0.append("b") } }
            cancelled.cancel()
        }
        expectEventually { fired.withLock { $0.count } == 3 }
        usleep(50_000)
        let firedValue = fired.withLock { $0 }
        #expect(firedValue == ["a", "b", "c"])
    }

    @Test func readinessReachesTheRegisteredHandler() throws {
        let loop = try EventLoop()
        loop.start()
        defer { loop.stop(); loop.join() }
        let (a, b) = try Socket.pair()
        defer { close(a); close(b) }
        let got = Mutex<[UInt8]>([])
        let done = Atomic<Bool>(false)
        loop.execute {
            let recorder = Recorder()
            recorder.onEvent = { _ in
                var buf = [UInt8](repeating: 0, count: 16)
                let n = read(a, &buf, 16)
                if n > 0 { got.withLock { $0 += buf[..<n] } }
            }
            let token = try! loop.register(a, events: EPOLLIN_MASK, handler: recorder)
            #expect(token > 0)
            done.store(true, ordering: .releasing)
        }
        expectEventually { done.load(ordering: .acquiring) }
        _ = write(b, "hi", 2)
        expectEventually { got.withLock { $0 } == Array("hi".utf8) }
    }

    @Test func stopEndsTheLoopAndRunsQueuedWork() throws {
        let loop = try EventLoop()
        loop.start()
        let ran = Atomic<Bool>(false)
        loop.execute { ran.store(true, ordering: .relaxed) }
        loop.stop()
        loop.join()
        let ranValue = ran.load(ordering: .relaxed)
        #expect(ranValue)
    }
}

let EPOLLIN_MASK: UInt32 = 0x001
