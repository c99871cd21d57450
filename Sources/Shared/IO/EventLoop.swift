import CLinux
import Runtime
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Receives readiness events for a descriptor registered with an `EventLoop`.
public protocol EventHandler: AnyObject {
    /// `events` is the epoll mask (`EPOLLIN`, `EPOLLOUT`, `EPOLLERR`, `EPOLLHUP`, `EPOLLRDHUP`).
    func handle(events: UInt32)
}

/// One epoll loop on a thread of its own. Descriptors, timers and handlers belong to the loop
/// thread; `execute` and `stop` may be called from any thread (an eventfd wakes the loop).
///
/// Registrations are keyed by a token that is never reused, so a stale event for a descriptor
/// closed earlier in the same `epoll_wait` batch never reaches whoever got the same number next.
public final class EventLoop: @unchecked Sendable {
    // Safety of @unchecked Sendable: `pending`, `wakePending`, `stopping` and `threadID` are
    // synchronized (Mutex/Atomic). Every other stored property is touched only on the loop
    // thread: the public methods that use them say so and check it with `assertInLoop()`.
    public let name: String
    private let epfd: Int32
    private let wakefd: Int32
    private var epollOwner: FileDescriptor?
    private var wakeOwner: FileDescriptor?
    private let pending = Locked<(jobs: [@Sendable () -> Void], ended: Bool)>(([], false))
    private let wakePending = Atomic<Bool>(false)
    private let stopping = Atomic<Bool>(false)
    private let threadID = Atomic<UInt>(0)
    private let running = Atomic<Bool>(false)
    private var thread: OwnedThread?

    private var handlers: [UInt64: EventHandler] = [:]
    private var nextToken: UInt64 = 1
    private var timers = TimerHeap()
    private static let wakeToken: UInt64 = 0

    public init(name: String = "loop") throws(SystemError) {
        self.name = name
        guard let ep = try sys("epoll_create1", { epoll_create1(Int32(EPOLL_CLOEXEC)) }) else {
            throw SystemError("epoll_create1", errno: EAGAIN)
        }
        let wake: Int32
        do throws(SystemError) {
            guard let w = try sys("eventfd", { eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC)) }) else {
                throw SystemError("eventfd", errno: EAGAIN)
            }
            wake = w
        } catch {
            _ = Glibc.close(ep)
            throw error
        }
        epfd = ep
        wakefd = wake
        epollOwner = FileDescriptor(ep)
        wakeOwner = FileDescriptor(wake)
        var ev = clinux_epoll_event(EPOLLIN.rawValue, EventLoop.wakeToken)
        _ = epoll_ctl(ep, EPOLL_CTL_ADD, wake, &ev)
    }

    deinit {
        wakeOwner.take()?.close()
        epollOwner.take()?.close()
    }

    // MARK: Threads

    /// Starts the loop on a thread of its own.
    public func start() {
        thread = OwnedThread(name: name) { [self] in run() }
    }

    /// Runs the loop on the calling thread until `stop()`.
    public func run() {
        threadID.store(UInt(pthread_self()), ordering: .releasing)
        running.store(true, ordering: .releasing)
        var events = [epoll_event](repeating: epoll_event(), count: 256)
        while !stopping.load(ordering: .acquiring) {
            let timeout = timers.timeoutMilliseconds(now: monotonicNanoseconds())
            let n = events.withUnsafeMutableBufferPointer { buf in
                epoll_wait(epfd, buf.baseAddress, Int32(buf.count), timeout)
            }
            if n < 0 {
                if errno == EINTR { continue }
                fatalError("epoll_wait: \(SystemError("epoll_wait", errno: errno))")
            }
            for i in 0..<Int(n) {
                let token = withUnsafePointer(to: &events[i]) { clinux_epoll_token($0) }
                let mask = events[i].events
                if token == EventLoop.wakeToken {
                    drainWakeups()
                } else if let handler = handlers[token] {
                    handler.handle(events: mask)
                }
            }
            // Timers are popped one at a time, so a timer's work may schedule others.
            let now = monotonicNanoseconds()
            while let timer = timers.popExpired(now: now) {
                if let work = timer.work {
                    timer.cancel()
                    work()
                }
            }
        }
        // Jobs queued before stop still run; anything posted after this is dropped by `execute`.
        runPending()
        let late = pending.withLock { state -> [@Sendable () -> Void] in
            state.ended = true
            defer { state.jobs = [] }
            return state.jobs
        }
        for job in late { job() }
        // Drop what the loop still holds: pending timers' closures and handlers often refer back
        // to their owners, which refer to this loop, and nothing will ever run them now.
        timers.removeAll()
        handlers.removeAll()
        running.store(false, ordering: .releasing)
    }

    /// Asks the loop to stop after the current iteration; callable from any thread.
    public func stop() {
        stopping.store(true, ordering: .releasing)
        wake()
    }

    /// Waits for the loop thread started by `start()` to end.
    public func join() { thread?.join() }

    /// True when called on this loop's thread.
    public var inLoop: Bool { threadID.load(ordering: .acquiring) == UInt(pthread_self()) }

    public var isStopping: Bool { stopping.load(ordering: .acquiring) }

    @inline(__always) func assertInLoop() {
        assert(!running.load(ordering: .relaxed) || inLoop, "EventLoop '\(name)' used off its thread")
    }

    // MARK: Cross-thread work

    /// Runs `work` on the loop thread, after the current batch of events. Callable from any thread.
    /// Work posted after the loop has ended is dropped.
    public func execute(_ work: @escaping @Sendable () -> Void) {
        let accepted = pending.withLock { state -> Bool in
            guard !state.ended else { return false }
            state.jobs.append(work)
            return true
        }
        guard accepted else { return }
        if !wakePending.exchange(true, ordering: .acquiringAndReleasing) { wake() }
    }

    private func wake() {
        var one: UInt64 = 1
        _ = Glibc.write(wakefd, &one, 8)
    }

    private func drainWakeups() {
        var value: UInt64 = 0
        _ = Glibc.read(wakefd, &value, 8)
        wakePending.store(false, ordering: .releasing)
        runPending()
    }

    private func runPending() {
        let jobs = pending.withLock { state -> [@Sendable () -> Void] in
            let taken = state.jobs
            state.jobs.removeAll(keepingCapacity: true)
            return taken
        }
        for job in jobs { job() }
    }

    // MARK: Descriptors (loop thread only)

    /// Adds `fd` to the epoll set and returns the token that identifies this registration.
    public func register(_ fd: Int32, events: UInt32, handler: EventHandler) throws(SystemError) -> UInt64 {
        assertInLoop()
        let token = nextToken
        nextToken += 1
        var ev = clinux_epoll_event(events, token)
        _ = try sys("epoll_ctl(ADD)") { epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) }
        handlers[token] = handler
        return token
    }

    /// Changes the events `fd` is watched for.
    public func modify(_ fd: Int32, token: UInt64, events: UInt32) throws(SystemError) {
        assertInLoop()
        var ev = clinux_epoll_event(events, token)
        _ = try sys("epoll_ctl(MOD)") { epoll_ctl(epfd, EPOLL_CTL_MOD, fd, &ev) }
    }

    /// Removes `fd` from the epoll set and forgets its handler. Call before closing it.
    public func deregister(_ fd: Int32, token: UInt64) {
        assertInLoop()
        var ev = epoll_event()
        _ = epoll_ctl(epfd, EPOLL_CTL_DEL, fd, &ev)
        handlers[token] = nil
    }

    /// Deregisters and closes an owned descriptor in one step.
    public func close(_ fd: consuming FileDescriptor, token: UInt64) {
        deregister(fd.rawValue, token: token)
        fd.close()
    }

    /// The number of registered descriptors (the wakeup eventfd not counted).
    public var registrations: Int { handlers.count }

    // MARK: Timers (loop thread only)

    /// Runs `work` on the loop after `seconds` unless the timer is cancelled first.
    @discardableResult
    public func schedule(after seconds: Double, _ work: @escaping () -> Void) -> LoopTimer {
        assertInLoop()
        let delay = UInt64(max(0, seconds) * 1_000_000_000)
        let timer = LoopTimer(deadline: monotonicNanoseconds() &+ delay, work: work)
        timers.push(timer)
        return timer
    }
}
