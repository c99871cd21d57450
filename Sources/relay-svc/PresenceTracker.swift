import Dispatch
import Redis
import Runtime
import Synchronization

/// Online presence across relay instances (ARCHITECTURE "Real time", TEAM "Presence keys").
///
/// A user is online while any `presence:<user>:<instance>` key exists. This instance keeps one such
/// key per user with a local socket, refreshed every third of its TTL, so a crashed relay leaves no
/// ghost longer than the TTL. `presence:state:<user>` holds what was last announced ("1"/"0"); the
/// scripts below flip it atomically, so each transition is published exactly once even when several
/// instances see it. The last local socket closing waits `debounce` seconds before announcing
/// "offline", so a quick reload never flashes the user offline. Keys that expire (a relay crashed)
/// arrive as keyspace events and are checked the same way.
///
/// Every Redis call runs on this tracker's own dispatch queue, never on a socket thread.
final class PresenceTracker: Sendable {
    private struct State {
        /// Open sockets per user on this instance.
        var sockets: [Int: Int] = [:]
        /// Users whose last socket closed, waiting out the debounce: the ticket of the close.
        var leaving: [Int: UInt64] = [:]
        var nextTicket: UInt64 = 0
    }

    private let redis: RedisClient
    private let publisher: Publisher
    private let directory: RoomDirectory
    private let log: Log
    private let instance: String
    private let ttl: Int
    private let debounce: Double
    private let state = Mutex(State())
    private let queue = DispatchQueue(label: "relay-presence")
    private let stopped = Atomic<Bool>(false)

    /// SET our key; announce online unless the user already was.
    private static let onlineScript = """
        redis.call('SET', KEYS[1], '1', 'EX', ARGV[1])
        if redis.call('GETSET', KEYS[2], '1') == '1' then return 0 end
        return 1
        """
    /// Optionally DEL our key; announce offline when no instance holds a key for the user and
    /// online was the last thing announced.
    private static let offlineScript = """
        if ARGV[2] == '1' then redis.call('DEL', KEYS[1]) end
        for _, instance in ipairs(redis.call('SMEMBERS', 'relay:instances')) do
            if redis.call('EXISTS', 'presence:' .. ARGV[1] .. ':' .. instance) == 1 then return 0 end
        end
        if redis.call('GET', KEYS[2]) ~= '1' then return 0 end
        redis.call('SET', KEYS[2], '0')
        return 1
        """

    init(redis: RedisClient, publisher: Publisher, directory: RoomDirectory, log: Log, instance: String,
         ttl: Int, debounce: Double) {
        self.redis = redis
        self.publisher = publisher
        self.directory = directory
        self.log = log
        self.instance = instance
        self.ttl = ttl
        self.debounce = debounce
    }

    /// The channel that carries expired keys of `database`: subscribe to it and pass its messages to `expired`.
    static func expiryChannel(database: Int) -> String { "__keyevent@\(database)__:expired" }

    /// Registers this instance, turns on expiry events, and starts refreshing the keys.
    func start() {
        queue.async { [self] in
            enableExpiryEvents()
            refreshForever()
        }
    }

    /// Redis came back, perhaps restarted empty: turn expiry events on again and restore our keys.
    func linkRestored() {
        queue.async { [self] in
            enableExpiryEvents()
            refresh()
        }
    }

    func stop() {
        stopped.store(true, ordering: .releasing)
        queue.sync {}
    }

    private func refreshForever() {
        guard !stopped.load(ordering: .acquiring) else { return }
        refresh()
        queue.asyncAfter(deadline: .now() + Double(ttl) / 3) { [weak self] in self?.refreshForever() }
    }

    // MARK: Sockets (any thread; never blocks)

    func connected(user: Int, rooms: [Int]) {
        let first = state.withLock { s -> Bool in
            s.sockets[user, default: 0] += 1
            s.leaving[user] = nil
            return s.sockets[user] == 1
        }
        if first { queue.async { [self] in announceOnline(user, rooms: rooms) } }
    }

    func disconnected(user: Int, rooms: [Int]) {
        let ticket = state.withLock { s -> UInt64? in
            guard let n = s.sockets[user] else { return nil }
            if n > 1 {
                s.sockets[user] = n - 1
                return nil
            }
            s.sockets[user] = nil
            s.nextTicket &+= 1
            s.leaving[user] = s.nextTicket
            return s.nextTicket
        }
        guard let ticket else { return }
        queue.asyncAfter(deadline: .now() + debounce) { [self] in
            let still = state.withLock { s -> Bool in
                guard s.leaving[user] == ticket else { return false }
                s.leaving[user] = nil
                return true
            }
            if still { announceOffline(user, rooms: rooms, deleteOwnKey: true) }
        }
    }

    /// A key expired in Redis (from the expiry channel).
    func expired(key: String) {
        guard let (user, owner) = Envelope.presenceKey(key) else { return }
        queue.async { [self] in
            if owner == instance, state.withLock({ $0.sockets[user] != nil }) {
                // Our own refresh came too late (Redis or this process stalled): the user is still here.
                announceOnline(user, rooms: nil)
                return
            }
            announceOffline(user, rooms: nil, deleteOwnKey: false)
        }
    }

    // MARK: Redis (the tracker's queue)

    private func key(_ user: Int) -> String { "presence:\(user):\(instance)" }
    private func stateKey(_ user: Int) -> String { "presence:state:\(user)" }

    private func announceOnline(_ user: Int, rooms: [Int]?) {
        guard run(Self.onlineScript, keys: [key(user), stateKey(user)], args: [String(ttl)]) else { return }
        publish(user, online: true, rooms: rooms)
    }

    private func announceOffline(_ user: Int, rooms: [Int]?, deleteOwnKey: Bool) {
        guard run(Self.offlineScript, keys: [key(user), stateKey(user)], args: [String(user), deleteOwnKey ? "1" : "0"])
        else { return }
        publish(user, online: false, rooms: rooms)
    }

    /// Runs a script; true when it answered 1 (a transition to announce).
    private func run(_ script: String, keys: [String], args: [String]) -> Bool {
        do {
            let reply = try redis.command(argv: (["EVAL", script, String(keys.count)] + keys + args).map { Array($0.utf8) })
            return reply.int == 1
        } catch {
            log.warning("presence update failed", ["error": "\(error)"])
            return false
        }
    }

    /// Publishes the change to everyone sharing a room with `user`; asks room-svc for the rooms when
    /// no socket of this instance knows them (a key that expired).
    private func publish(_ user: Int, online: Bool, rooms known: [Int]?) {
        var rooms = known
        if rooms == nil {
            do {
                rooms = try directory.lookup(user: user).rooms
            } catch {
                log.warning("presence: rooms unknown", ["user.id": String(user), "error": "\(error)"])
                return
            }
        }
        guard let rooms, !rooms.isEmpty else { return }
        publisher.publish(Envelope.presenceChannel, Envelope.presence(rooms: rooms, Frames.presence(user: user, online: online)))
    }

    /// Re-registers this instance and re-sets the key of every user with a socket here. Also restores
    /// what a Redis restart without persistence lost.
    private func refresh() {
        let users = state.withLock { Array($0.sockets.keys) }
        let ttlText = String(ttl)
        var commands: [[String]] = [["SADD", "relay:instances", instance], ["SET", "relay:alive:\(instance)", "1", "EX", ttlText]]
        for user in users {
            commands.append(["SET", key(user), "1", "EX", ttlText])
            commands.append(["SET", stateKey(user), "1"])
        }
        var start = 0
        while start < commands.count {
            let end = min(commands.count, start + 2000)
            do {
                _ = try redis.pipeline(Array(commands[start..<end]))
            } catch {
                log.warning("presence refresh failed", ["error": "\(error)"])
                return
            }
            start = end
        }
    }

    /// Expired-key events (`E` + `x`) are what tell us a crashed relay's users went offline.
    private func enableExpiryEvents() {
        do {
            let current = try redis.command("CONFIG", "GET", "notify-keyspace-events").array?.last?.string ?? ""
            var flags = current
            if !flags.contains("E") { flags += "E" }
            if !flags.contains("x") && !flags.contains("A") { flags += "x" }
            if flags != current { _ = try redis.command("CONFIG", "SET", "notify-keyspace-events", flags) }
        } catch {
            log.warning("cannot enable Redis expiry events; users of a crashed relay go offline only in room views",
                        ["error": "\(error)"])
        }
    }
}
