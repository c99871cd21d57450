import Runtime
import Synchronization

/// A fixed set of threads we own that run blocking jobs (SQLite, hashing, sync Redis, outbound
/// HTTP), with a bounded queue: when it is full, `submit` refuses and the caller answers 503
/// instead of letting latency grow without bound.
public final class WorkerPool: Sendable {
    private struct State {
        var jobs: [@Sendable () -> Void] = []
        var head = 0
        var stopping = false
        var busy = 0
        var queued: Int { jobs.count - head }
    }

    private let condition = Condition()
    // Guarded by `condition`; a Mutex would not let workers sleep on it.
    nonisolated(unsafe) private var state = State()
    private let threads = Locked<[OwnedThread]>([])
    public let maxQueued: Int

    /// Starts `threads` worker threads. At most `maxQueued` jobs wait for a free thread.
    public init(threads count: Int, maxQueued: Int, name: String = "worker") {
        self.maxQueued = maxQueued
        var started: [OwnedThread] = []
        for i in 0..<max(1, count) {
            started.append(OwnedThread(name: "\(name)-\(i)") { [self] in work() })
        }
        threads.withLock { $0 = started }
    }

    /// Queues `job`; false when the queue is full or the pool is shutting down.
    @discardableResult
    public func submit(_ job: @escaping @Sendable () -> Void) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !state.stopping, state.queued < maxQueued else { return false }
        state.jobs.append(job)
        condition.signal()
        return true
    }

    /// Jobs waiting for a thread.
    public var queued: Int {
        condition.lock()
        defer { condition.unlock() }
        return state.queued
    }

    /// Jobs running now.
    public var busy: Int {
        condition.lock()
        defer { condition.unlock() }
        return state.busy
    }

    /// Refuses new jobs, lets queued ones finish, then ends the threads and waits for them.
    public func shutdown() {
        condition.lock()
        state.stopping = true
        condition.broadcast()
        condition.unlock()
        for thread in threads.withLock({ $0 }) { thread.join() }
    }

    private func work() {
        while true {
            condition.lock()
            while state.queued == 0 && !state.stopping { condition.wait() }
            if state.queued == 0 {
                condition.unlock()
                return
            }
            let job = state.jobs[state.head]
            state.head += 1
            if state.head > 64 && state.head * 2 > state.jobs.count {
                state.jobs.removeFirst(state.head)
                state.head = 0
            }
            state.busy += 1
            condition.unlock()
            job()
            condition.lock()
            state.busy -= 1
            condition.unlock()
        }
    }
}
