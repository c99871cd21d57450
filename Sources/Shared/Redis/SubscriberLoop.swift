import CHiredis
import CLinux
import Glibc
import Runtime

/// The subscriber thread's state machine: connect → subscribe → deliver; on a drop or a missed
/// deadline, free the context and reconnect after a backoff. hiredis 0.14's async API has no
/// connect or command timeouts, so deadlines are tracked here and bound `epoll_wait`.
/// Confined to the subscriber thread; never shared.
final class SubscriberLoop {
    private enum Phase { case waiting, connecting, ready }

    private let state: SubscriberState
    private let settings: SubscriberSettings
    private let log: Log
    private let epfd: Int32
    private var ac: UnsafeMutablePointer<redisAsyncContext>?
    private var phase = Phase.waiting
    /// When to act next: connect deadline while connecting, reconnect time while waiting.
    private var phaseDeadline: UInt64 = 0
    private var failures = 0
    private var everReady = false
    private var restoring = false
    /// Channels SUBSCRIBEd on the current link and not UNSUBSCRIBEd since.
    private var sent: Set<String> = []
    /// Confirmation deadlines of SUBSCRIBE/UNSUBSCRIBE per channel, oldest first.
    private var awaiting: [String: [UInt64]] = [:]

    private static let wakeToken: UInt64 = 0
    private static let firstBackoff = 0.05
    private static let maxBackoff = 3.0

    init(state: SubscriberState, settings: SubscriberSettings) {
        self.state = state
        self.settings = settings
        self.log = settings.log.with(["redis.addr": "\(settings.host):\(settings.port)"])
        epfd = epoll_create1(Int32(EPOLL_CLOEXEC))
        precondition(epfd >= 0, "epoll_create1 failed: errno \(errno)")
        var ev = clinux_epoll_event(EPOLLIN.rawValue, SubscriberLoop.wakeToken)
        epoll_ctl(epfd, EPOLL_CTL_ADD, state.wakeFD, &ev)
    }

    func run() {
        connect()
        var events = [epoll_event](repeating: epoll_event(), count: 16)
        while !state.fields.withLock({ $0.stopping }) {
            let n = epoll_wait(epfd, &events, Int32(events.count), waitMilliseconds())
            if n < 0 && errno != EINTR { log.error("epoll_wait failed", ["errno": "\(errno)"]) }
            var wanted = false
            for i in 0..<max(0, Int(n)) {
                var event = events[i]
                if clinux_epoll_token(&event) == SubscriberLoop.wakeToken {
                    state.drainWake()
                    wanted = true
                } else {
                    handleIO(event.events)
                }
            }
            checkDeadlines()
            // Only a wake-up changes the wanted channels (a new link subscribes all when it is ready).
            if wanted { reconcile() }
        }
        dropLink(reason: nil)
        state.fields.withLock { $0.connected = false; $0.active = [] }
        epoll_ctl(epfd, EPOLL_CTL_DEL, state.wakeFD, nil)
        Glibc.close(epfd)
    }

    // MARK: Link

    private func connect() {
        guard let context = redisAsyncConnect(settings.host, Int32(settings.port)) else {
            linkFailed("cannot allocate a hiredis context")
            return
        }
        if context.pointee.c.err != 0 {
            let error = RedisError(context: &context.pointee.c)
            redisAsyncFree(context)
            linkFailed(error.message)
            return
        }
        ac = context
        phase = .connecting
        phaseDeadline = monotonicNanoseconds() + SubscriberLoop.nanos(settings.connectTimeout)
        context.pointee.data = Unmanaged.passUnretained(self).toOpaque()
        AsyncEpollAdapter.attach(context, epfd: epfd)  // before the connect callback: it asks for a write event
        redisAsyncSetConnectCallback(context) { ac, status in
            guard let ac, let data = ac.pointee.data else { return }
            Unmanaged<SubscriberLoop>.fromOpaque(data).takeUnretainedValue().didConnect(ac, status: status)
        }
        redisAsyncSetDisconnectCallback(context) { ac, status in
            guard let ac, let data = ac.pointee.data else { return }
            Unmanaged<SubscriberLoop>.fromOpaque(data).takeUnretainedValue().didDisconnect(ac, status: status)
        }
    }

    private func didConnect(_ context: UnsafePointer<redisAsyncContext>, status: Int32) {
        guard let ac, UnsafePointer(ac) == context else { return }
        if status != REDIS_OK {
            // hiredis frees the context after this callback returns.
            self.ac = nil
            linkFailed(RedisError(context: &ac.pointee.c).message)
            return
        }
        _ = redisEnableKeepAlive(&ac.pointee.c)  // TCP keepalive: notice a silently vanished peer
        guard let credentials = settings.credentials else { return becomeReady() }
        // Still connecting until Redis accepts the password, with a command's time to answer.
        phaseDeadline = monotonicNanoseconds() + SubscriberLoop.nanos(settings.commandTimeout)
        let me = Unmanaged.passUnretained(self).toOpaque()
        let rc = RedisConnection.withArgv(credentials.authCommand) { count, pointers, lengths in
            redisAsyncCommandArgv(ac, subscriberReply, me, count, pointers, lengths)
        }
        if rc != REDIS_OK { dropLink(reason: "AUTH could not be sent") }
    }

    /// True until the link is ready: the only reply that can arrive then is the one to AUTH.
    fileprivate var isConnecting: Bool { phase == .connecting }

    fileprivate func didAuthenticate(_ reply: RedisReply) {
        guard ac != nil else { return }
        if case .error(let message) = reply {
            dropLink(reason: "AUTH: \(message)")  // Redis's refusal never quotes the password
        } else {
            becomeReady()
        }
    }

    private func becomeReady() {
        phase = .ready
        restoring = everReady || failures > 0
        everReady = true
        failures = 0
        sent = []
        awaiting = [:]
        state.fields.withLock { $0.connected = true; $0.active = [] }
        log.info(restoring ? "redis subscriber link restored" : "redis subscriber connected")
        reconcile(newLink: true)
        finishRestoreIfDone()
    }

    private func didDisconnect(_ context: UnsafePointer<redisAsyncContext>, status: Int32) {
        guard let ac, UnsafePointer(ac) == context else { return }  // a deliberate free: already handled
        self.ac = nil  // hiredis frees the context after this callback returns
        let message = RedisError(context: &ac.pointee.c).message
        linkFailed(status == REDIS_OK ? "closed" : message)
    }

    /// Frees the current context on purpose (timeout or stop) and, with a reason, plans a reconnect.
    private func dropLink(reason: String?) {
        if let context = ac {
            ac = nil  // callbacks fired by the free see a different context and ignore it
            redisAsyncFree(context)
        }
        if let reason { linkFailed(reason) }
    }

    private func linkFailed(_ reason: String) {
        let wasReady = phase == .ready
        phase = .waiting
        sent = []
        awaiting = [:]
        restoring = false
        state.fields.withLock { $0.connected = false; $0.active = [] }
        failures += 1
        let base = min(SubscriberLoop.maxBackoff, SubscriberLoop.firstBackoff * pow(2, Double(min(failures - 1, 16))))
        let delay = base * Double.random(in: 0.5...1.0)  // jitter: restarted Redis is not hit by every client at once
        phaseDeadline = monotonicNanoseconds() + SubscriberLoop.nanos(delay)
        // Link loss matters to operators, so it is a warning although this is a shared module.
        if wasReady || failures == 1 {
            log.warning("redis subscriber link lost", ["reason": reason, "retry.seconds": delay.fixed(2)])
        } else {
            log.debug("redis subscriber reconnect failed", ["reason": reason, "attempt": "\(failures)"])
        }
    }

    private func handleIO(_ events: UInt32) {
        guard let context = ac else { return }
        if events & (EPOLLIN.rawValue | EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0 {
            redisAsyncHandleRead(context)
        }
        // The read may have dropped and freed the context.
        if let current = ac, current == context, events & (EPOLLOUT.rawValue | EPOLLERR.rawValue) != 0 {
            redisAsyncHandleWrite(context)
        }
    }

    // MARK: Deadlines

    private func earliestDeadline() -> UInt64? {
        switch phase {
        case .waiting, .connecting: return phaseDeadline
        case .ready: return awaiting.values.compactMap(\.first).min()
        }
    }

    private func waitMilliseconds() -> Int32 {
        guard let deadline = earliestDeadline() else { return -1 }
        let now = monotonicNanoseconds()
        if deadline <= now { return 0 }
        return Int32(min(60_000, (deadline - now + 999_999) / 1_000_000))
    }

    private func checkDeadlines() {
        guard let deadline = earliestDeadline(), deadline <= monotonicNanoseconds() else { return }
        switch phase {
        case .waiting: connect()
        case .connecting: dropLink(reason: "connect timed out")
        case .ready: dropLink(reason: "subscribe timed out")
        }
    }

    // MARK: Subscriptions

    /// Sends SUBSCRIBE/UNSUBSCRIBE for the channels whose wanted-ness changed since the last look:
    /// O(changes), whatever the number of channels. A new link subscribes every wanted channel.
    private func reconcile(newLink: Bool = false) {
        guard phase == .ready, let context = ac else { return }
        let (wanted, unwanted) = state.takeChanges(all: newLink)
        let add = wanted.filter { !sent.contains($0) }.sorted()
        let remove = unwanted.filter { sent.contains($0) }.sorted()
        if !add.isEmpty {
            send(context, "SUBSCRIBE", add)
            sent.formUnion(add)
        }
        if !remove.isEmpty {
            send(context, "UNSUBSCRIBE", remove)
            sent.subtract(remove)
        }
    }

    private func send(_ context: UnsafeMutablePointer<redisAsyncContext>, _ verb: String, _ channels: [String]) {
        let argv = ([verb] + channels).map { Array($0.utf8) }
        let me = Unmanaged.passUnretained(self).toOpaque()  // the loop outlives its contexts
        let rc = RedisConnection.withArgv(argv) { count, pointers, lengths in
            redisAsyncCommandArgv(context, subscriberReply, me, count, pointers, lengths)
        }
        guard rc == REDIS_OK else {
            log.debug("redis subscriber command refused", ["command": verb])
            return
        }
        let deadline = monotonicNanoseconds() + SubscriberLoop.nanos(settings.commandTimeout)
        for channel in channels { awaiting[channel, default: []].append(deadline) }
    }

    fileprivate func didReceive(_ reply: RedisReply) {
        guard let items = reply.array, items.count >= 3, let kind = items[0].string, let channelBytes = items[1].bytes
        else { return }
        let channel = String(decoding: channelBytes, as: UTF8.self)
        switch kind.lowercased() {
        case "message":
            guard let payload = items[2].bytes else { return }
            if state.fields.withLock({ $0.desired.contains(channel) }) {
                settings.onMessage(channel, payload)
            }
        case "subscribe":
            confirm(channel)
            state.fields.withLock { _ = $0.active.insert(channel) }
            finishRestoreIfDone()
        case "unsubscribe":
            confirm(channel)
            state.fields.withLock { _ = $0.active.remove(channel) }
            finishRestoreIfDone()
        default:
            break
        }
    }

    private func confirm(_ channel: String) {
        guard var deadlines = awaiting[channel], !deadlines.isEmpty else { return }
        deadlines.removeFirst()
        awaiting[channel] = deadlines.isEmpty ? nil : deadlines
    }

    private func finishRestoreIfDone() {
        guard restoring, phase == .ready, awaiting.isEmpty else { return }
        restoring = false
        settings.onLinkRestored()
    }

    private static func nanos(_ seconds: Double) -> UInt64 { UInt64(max(0, seconds) * 1_000_000_000) }
}

@available(*, unavailable)
extension SubscriberLoop: Sendable {}

/// One C callback for every reply (AUTH while connecting, then pub/sub); `privdata` is the loop.
/// A nil reply means the context is being freed.
private func subscriberReply(
    _ context: UnsafeMutablePointer<redisAsyncContext>?, _ reply: UnsafeMutableRawPointer?, _ privdata: UnsafeMutableRawPointer?
) {
    guard let reply, let privdata else { return }
    let loop = Unmanaged<SubscriberLoop>.fromOpaque(privdata).takeUnretainedValue()
    let value = RedisReply(reply.assumingMemoryBound(to: redisReply.self))
    if loop.isConnecting { loop.didAuthenticate(value) } else { loop.didReceive(value) }
}
