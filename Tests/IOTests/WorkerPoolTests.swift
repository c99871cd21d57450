import Foundation
import Synchronization
import Testing
@testable import IO

@Suite(.timeLimit(.minutes(1)))
struct WorkerPoolTests {
    @Test func runsEveryAcceptedJob() {
        let pool = WorkerPool(threads: 4, maxQueued: 10_000)
        let count = Atomic<Int>(0)
        for _ in 0..<5000 { #expect(pool.submit { count.add(1, ordering: .relaxed) }) }
        pool.shutdown()
        let countValue = count.load(ordering: .relaxed)
        #expect(countValue == 5000)
    }

    @Test func refusesJobsBeyondTheQueueLimit() {
        let pool = WorkerPool(threads: 1, maxQueued: 2)
        let gate = DispatchSemaphore(value: 0)
        let started = DispatchSemaphore(value: 0)
        #expect(pool.submit { started.signal(); gate.wait() })
        started.wait()
        #expect(pool.submit {})
        #expect(pool.submit {})
        #expect(!pool.submit {})  // one running, two queued: full
        gate.signal()
        pool.shutdown()
        #expect(!pool.submit {})  // shut down
    }

    @Test func blockingJobsRunInParallel() {
        let pool = WorkerPool(threads: 3, maxQueued: 10)
        let barrier = DispatchGroup()
        let inside = Atomic<Int>(0)
        let peak = Atomic<Int>(0)
        for _ in 0..<3 {
            barrier.enter()
            pool.submit {
                let now = inside.add(1, ordering: .relaxed).newValue
                peak.max(now, ordering: .relaxed)
                usleep(100_000)
                inside.subtract(1, ordering: .relaxed)
                barrier.leave()
            }
        }
        barrier.wait()
        pool.shutdown()
        let peakValue = peak.load(ordering: .relaxed)
        #expect(peakValue == 3)
    }
}
