import CLinux
import IO
import Runtime
#if canImport(Glibc)
import Glibc
#endif

/// One accepted socket: reads bytes, parses requests one at a time (so pipelined responses leave
/// in order), runs handlers inline or on the worker pool, and writes responses through an
/// outbound queue. After a 101 it carries an `UpgradedConnection` instead. Loop thread only.
final class HTTPConnection: EventHandler {
    enum Phase {
        /// Parsing requests (or waiting for the next one).
        case reading
        /// A request is with its handler on the worker pool.
        case handling
        /// Writing what is queued, then closing.
        case closing
        /// Our side is shut; reading and dropping what the peer still sends, briefly (lingering close).
        case lingering
        /// Handed over after `101 Switching Protocols`.
        case upgraded
        case closed
    }

    /// What happens when `deadline` passes.
    enum DeadlineAction {
        case closeQuietly
        case requestTimeout
        case abort
    }

    unowned let owner: ServerLoop
    let remote: String
    let fd: Int32
    var socket: FileDescriptor?
    var token: UInt64 = 0
    var interest: UInt32 = 0
    var phase = Phase.reading

    var parser: RequestParser
    /// Received bytes the parser has not consumed yet.
    var pending: [UInt8] = []
    var peerClosed = false

    // The request being read or handled.
    var head: RequestHead?
    var match: Router.Match?
    var requestID = ""
    var requestStart: UInt64 = 0
    /// Bumped per request, so a late answer from the pool for an aborted request is dropped.
    var generation: UInt64 = 0
    var closeAfterResponse = false

    // Output.
    var queue: [Outbound] = []
    var queueOffset = 0
    var tail: [UInt8] = []
    var outboundBytes = 0
    var writeDeadline: UInt64 = 0

    var deadline: UInt64 = 0
    var deadlineAction = DeadlineAction.closeQuietly

    var pausedForOutput = false

    // Upgraded mode.
    var pendingUpgrade: (@Sendable () -> any UpgradedConnection)?
    var upgraded: (any UpgradedConnection)?
    var closeWhenDrained = false
    var timers: [LoopTimer] = []

    /// Bytes of pipelined requests kept while one is handled; past this, reading pauses.
    static let pendingHighWater = 64 * 1024
    /// Queued response bytes past which no further pipelined request is started.
    static let outboundHighWater = 1024 * 1024

    init(owner: ServerLoop, remote: String, socket: consuming FileDescriptor) {
        self.owner = owner
        self.remote = remote
        self.fd = socket.rawValue
        self.socket = consume socket
        self.parser = RequestParser(limits: owner.limits)
    }

    deinit { socket.take()?.close() }

    var loop: EventLoop { owner.loop }
    var server: Server { owner.server }

    func start() {
        do {
            interest = EPOLLIN.rawValue
            token = try loop.register(fd, events: interest, handler: self)
        } catch {
            server.log.error("register failed", ["error": error.description])
            abort()
            return
        }
        // Until a first byte arrives the connection is idle; the request timer starts with that byte.
        setDeadline(min(owner.limits.headerTimeout, owner.limits.idleTimeout), .closeQuietly)
    }

    // MARK: Events

    func handle(events: UInt32) {
        if events & (EPOLLIN.rawValue | EPOLLHUP.rawValue | EPOLLERR.rawValue) != 0 {
            if phase != .closed { readAvailable(hangup: events & EPOLLHUP.rawValue != 0) }
        }
        if events & EPOLLOUT.rawValue != 0, phase != .closed {
            flush()
        }
    }

    private func readAvailable(hangup: Bool) {
        let buffer = owner.readBuffer
        let n: Int
        do {
            guard let count = try sys("read", { Glibc.read(fd, buffer.baseAddress, buffer.count) }) else { return }
            n = count
        } catch {
            abort()  // ECONNRESET and friends: nobody to answer
            return
        }
        if n == 0 {
            peerClosedInput()
            return
        }
        let data = UnsafeRawBufferPointer(rebasing: buffer[..<n])
        switch phase {
        case .reading:
            ingest(data)
        case .handling, .closing:
            pending.append(contentsOf: data)
            if pending.count > HTTPConnection.pendingHighWater { updateInterest() }
        case .lingering:
            break
        case .upgraded:
            upgraded?.received(data)
        case .closed:
            break
        }
        if hangup && phase != .closed && phase != .upgraded { peerClosedInput() }
    }

    /// The peer will send nothing more. A request in flight still gets its answer.
    private func peerClosedInput() {
        peerClosed = true
        switch phase {
        case .handling, .closing:
            updateInterest()
        case .reading:
            if outboundBytes > 0 {
                phase = .closing
                updateInterest()
            } else {
                abort()
            }
        case .lingering, .upgraded, .closed:
            abort()
        }
    }

    /// Parses what arrived and answers what it can, keeping the rest for later.
    func ingest(_ data: UnsafeRawBufferPointer) {
        if pending.isEmpty {
            let consumed = drive(data)
            if consumed < data.count { pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: data[consumed...])) }
        } else {
            pending.append(contentsOf: data)
            let consumed = pending.withUnsafeBytes { drive($0) }
            pending.removeFirst(consumed)
        }
        afterProgress()
    }

    /// Resumes parsing kept bytes once a request finished or output drained.
    func resumeReading() {
        guard phase == .reading else { return }
        if !pending.isEmpty {
            let consumed = pending.withUnsafeBytes { drive($0) }
            pending.removeFirst(consumed)
        }
        afterProgress()
    }

    func afterProgress() {
        if phase == .upgraded, upgraded == nil { startUpgrade() }
        flush()
        if phase == .reading && parser.isIdle && pending.isEmpty && head == nil && deadlineAction != .closeQuietly {
            setDeadline(owner.limits.idleTimeout, .closeQuietly)
        }
        updateInterest()
    }

    // MARK: Deadlines

    func setDeadline(_ seconds: Double, _ action: DeadlineAction) {
        deadline = monotonicNanoseconds() &+ UInt64(seconds * 1_000_000_000)
        deadlineAction = action
    }

    func clearDeadline() { deadline = 0 }

    func checkDeadline(now: UInt64) {
        if writeDeadline != 0 && now >= writeDeadline {
            abort()
            return
        }
        guard deadline != 0, now >= deadline, phase != .upgraded else { return }
        deadline = 0
        switch deadlineAction {
        case .closeQuietly, .abort:
            abort()
        case .requestTimeout:
            guard phase == .reading else { return abort() }
            respondToParseError(HTTPParseError(.requestTimeout, "timeout", "The request took too long to arrive."))
            flush()
            updateInterest()
        }
    }

    // MARK: Interest and closing

    func updateInterest() {
        guard phase != .closed else { return }
        var wanted: UInt32 = 0
        let readPaused = (phase == .handling || phase == .closing) && pending.count > HTTPConnection.pendingHighWater
        if !peerClosed && !readPaused { wanted |= EPOLLIN.rawValue }
        if outboundBytes > 0 { wanted |= EPOLLOUT.rawValue }
        guard wanted != interest else { return }
        interest = wanted
        do { try loop.modify(fd, token: token, events: wanted) } catch { abort() }
    }

    /// Stops taking requests at shutdown: idle connections close now, busy ones after their answer.
    func drain() {
        closeAfterResponse = true
        switch phase {
        case .reading where parser.isIdle && pending.isEmpty && head == nil:
            if outboundBytes == 0 { abort() } else { phase = .closing }
        case .upgraded:
            if let upgraded { upgraded.serverStopping() } else { closeUpgraded() }
        case .lingering:
            abort()  // everything was said already; do not hold shutdown for the peer
        default:
            break
        }
    }

    /// Our answers are all written and nothing more will follow: half-close and drain the peer
    /// briefly, so an unread request body does not turn our last response into a reset.
    func finishClosing() {
        guard phase != .closed, phase != .lingering else { return }
        if peerClosed {
            abort()
            return
        }
        phase = .lingering
        _ = Glibc.shutdown(fd, Int32(SHUT_WR))
        pending = []
        setDeadline(2, .abort)
        updateInterest()
    }

    /// Closes at once, dropping whatever is queued. Safe to call more than once.
    func abort() {
        guard phase != .closed else { return }
        phase = .closed
        generation &+= 1
        for timer in timers { timer.cancel() }
        timers = []
        queue = []
        tail = []
        outboundBytes = 0
        if let socket = socket.take() {
            if token != 0 { loop.close(socket, token: token) } else { socket.close() }
        }
        if let handler = upgraded {
            upgraded = nil
            handler.closed()
        }
        owner.removed(self)
    }
}
