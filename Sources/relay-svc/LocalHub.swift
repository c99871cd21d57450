import HTTP
import Runtime
import Synchronization
import WebSocket

/// The sockets of one event loop, indexed by room and by user, and the deliveries waiting for that loop.
///
/// Everything but `post` runs on the loop's thread. The subscriber thread `post`s decoded events into
/// the inbox. Sockets are flushed at once when the previous flush is older than `batchWindow`, else
/// when the window ends: an event after a quiet spell leaves immediately, and under a steady stream
/// each socket gets one writev(2) per window instead of one per event. Each write costs the relay,
/// nginx (which proxies the socket) and the browser a wake-up and a system call, whatever its size.
///
/// The loop is woken only when nothing else will empty the inbox: while a window's flush is
/// pending, events wait in the inbox and the flush takes them, so a steady stream costs the loop
/// one wake-up per window, not one per event.
final class LocalHub: @unchecked Sendable {
    // @unchecked Sendable: `inbox` is a Mutex; every other property belongs to the loop thread
    // (`post` only touches `inbox` and the executor).
    struct Delivery: Sendable {
        var envelope: Envelope
        var frame: SharedBytes
    }

    let executor: any LoopExecutor
    private let subscriptions: Subscriptions
    private struct Inbox {
        var deliveries: [Delivery] = []
        /// The loop will take the inbox without another wake-up: a drain job or the pending
        /// window's flush is on its way.
        var taking = false
    }

    private let inbox = Mutex(Inbox())
    private var byRoom: [Int: [ObjectIdentifier: Client]] = [:]
    private var byUser: [Int: [ObjectIdentifier: Client]] = [:]
    private let batchWindow: Double
    /// Sockets with frames queued since the last flush.
    private var unflushed: [ObjectIdentifier: Client] = [:]
    private var lastFlush: UInt64 = 0
    private var flushScheduled = false

    init(executor: any LoopExecutor, subscriptions: Subscriptions, batchWindow: Double) {
        self.executor = executor
        self.subscriptions = subscriptions
        self.batchWindow = batchWindow
    }

    // MARK: Any thread

    func post(_ delivery: Delivery) {
        let wake = inbox.withLock { box -> Bool in
            box.deliveries.append(delivery)
            defer { box.taking = true }
            return !box.taking
        }
        if wake { executor.execute { [self] in drain() } }
    }

    // MARK: Loop thread

    var clientCount: Int { byUser.values.reduce(0) { $0 + $1.count } }

    /// Starts routing the rooms' and the user's events to `client`.
    func add(_ client: Client) {
        if byUser[client.userID, default: [:]].updateValue(client, forKey: client.id) == nil,
           byUser[client.userID]!.count == 1 {
            subscriptions.retain([Envelope.userChannel(client.userID)])
        }
        follow(client, rooms: client.rooms)
    }

    func remove(_ client: Client) {
        unfollow(client, rooms: client.rooms)
        if byUser[client.userID]?.removeValue(forKey: client.id) != nil, byUser[client.userID]!.isEmpty {
            byUser[client.userID] = nil
            subscriptions.release([Envelope.userChannel(client.userID)])
        }
    }

    /// Sends `frame` to every socket (after a Redis outage: `resync`).
    func broadcast(_ frame: SharedBytes) {
        for clients in byUser.values {
            for client in clients.values { client.socket.send(shared: frame) }
        }
    }

    /// Closes every socket with `code`.
    func closeAll(_ code: CloseCode, reason: String) {
        for clients in byUser.values {
            for client in clients.values { client.socket.close(code, reason: reason) }
        }
    }

    private func follow(_ client: Client, rooms: some Sequence<Int>) {
        var newChannels: [String] = []
        for room in rooms where byRoom[room, default: [:]].updateValue(client, forKey: client.id) == nil {
            if byRoom[room]!.count == 1 { newChannels.append(Envelope.roomChannel(room)) }
        }
        if !newChannels.isEmpty { subscriptions.retain(newChannels) }
    }

    private func unfollow(_ client: Client, rooms: some Sequence<Int>) {
        var goneChannels: [String] = []
        for room in rooms where byRoom[room]?.removeValue(forKey: client.id) != nil {
            if byRoom[room]!.isEmpty {
                byRoom[room] = nil
                goneChannels.append(Envelope.roomChannel(room))
            }
        }
        if !goneChannels.isEmpty { subscriptions.release(goneChannels) }
    }

    private func drain() {
        take()
        flushSoon()
    }

    /// Queues the inbox's frames on their sockets.
    private func take() {
        let scheduled = flushScheduled
        let batch = inbox.withLock { box -> [Delivery] in
            defer {
                box.deliveries.removeAll(keepingCapacity: true)
                box.taking = scheduled
            }
            return box.deliveries
        }
        for delivery in batch {
            let envelope = delivery.envelope
            switch envelope.target {
            case .room(let room):
                guard let clients = byRoom[room] else { continue }
                for client in clients.values where client.userID != envelope.except {
                    if client.socket.enqueue(shared: delivery.frame) { unflushed[client.id] = client }
                }
            case .user(let user):
                guard let clients = byUser[user] else { continue }
                if case .sessionsEnded(let sessions) = envelope.action {
                    for client in clients.values where client.sessionID.map(sessions.contains) == true {
                        client.socket.close(.policyViolation, reason: "session ended")
                    }
                    continue
                }
                for client in clients.values {
                    if let action = envelope.action { apply(action, to: client) }
                    if client.socket.enqueue(shared: delivery.frame) { unflushed[client.id] = client }
                }
            case .rooms(let rooms):
                var seen: Set<ObjectIdentifier> = []
                for room in rooms {
                    guard let clients = byRoom[room] else { continue }
                    for client in clients.values where client.userID != envelope.except && seen.insert(client.id).inserted {
                        if client.socket.enqueue(shared: delivery.frame) { unflushed[client.id] = client }
                    }
                }
            }
        }
    }

    private func flushSoon() {
        guard !flushScheduled, !unflushed.isEmpty else { return }
        let elapsed = Double(monotonicNanoseconds() &- lastFlush) / 1e9
        guard elapsed < batchWindow else { return flush() }
        flushScheduled = true
        inbox.withLock { $0.taking = true }  // events until then wait for the flush below
        executor.after(batchWindow - elapsed) { [self] in
            flushScheduled = false
            take()
            flush()
        }
    }

    private func flush() {
        for client in unflushed.values { client.socket.flush() }
        unflushed.removeAll(keepingCapacity: true)
        lastFlush = monotonicNanoseconds()
    }

    private func apply(_ action: Envelope.Action, to client: Client) {
        switch action {
        case .joined(let room):
            guard client.rooms.insert(room).inserted else { return }
            follow(client, rooms: [room])
        case .left(let room):
            guard client.rooms.remove(room) != nil else { return }
            unfollow(client, rooms: [room])
        case .sessionsEnded:
            break  // handled before: those sockets close
        }
    }
}
