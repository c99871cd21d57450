import Runtime
import Synchronization

/// Sessions that `/internal/verify` found valid in the last `ttl` seconds, by token hash, so nginx's
/// auth_request for a busy session is answered on the event loop without a worker hand-off or
/// SQLite (every message a user sends is one verify).
///
/// Nothing here outlives a change for more than `ttl`: every way a session ends in this service
/// (logout, deleting a session, a password change or reset) goes through `forget`, and an entry's
/// own expiry is checked on every hit. The only changes that reach a cached session late are made
/// outside this process (another auth-svc instance, or an operator editing the database), and those
/// at most `ttl` seconds late. `ttl` 0 turns the cache off.
final class SessionCache: Sendable {
    struct Entry: Sendable {
        var userID: Int
        var username: String
        var sessionID: Int
        /// The session's own expiry, in ms since the epoch.
        var expiresAt: Int
        /// When the entry was stored (monotonic ns).
        var storedAt: UInt64
    }

    private struct State {
        var entries: [[UInt8]: Entry] = [:]
        /// Moves on every `forget`: a lookup that read the database before a forget must not
        /// store what it read (the session may be gone by then).
        var epoch: UInt64 = 0
    }

    let ttl: Double
    /// Entries kept at most; a full cache starts over (it refills from the busy sessions at once).
    let capacity: Int
    private let state = Mutex(State())

    init(ttl: Double, capacity: Int = 50_000) {
        self.ttl = ttl
        self.capacity = capacity
    }

    var isEnabled: Bool { ttl > 0 }

    /// Take it before reading the session from the database; pass it to `store`.
    var epoch: UInt64 { state.withLock { $0.epoch } }

    /// The live entry for `hash`, or nil when there is none, it is older than `ttl`, or the session expired.
    func lookup(_ hash: [UInt8], nowMs: Int) -> Entry? {
        guard isEnabled else { return nil }
        let now = monotonicNanoseconds()
        return state.withLock { state -> Entry? in
            guard let entry = state.entries[hash] else { return nil }
            guard Double(now &- entry.storedAt) / 1e9 < ttl, entry.expiresAt > nowMs else {
                state.entries[hash] = nil
                return nil
            }
            return entry
        }
    }

    /// Keeps what the database said, unless a `forget` happened since `epoch` was read.
    func store(_ hash: [UInt8], userID: Int, username: String, sessionID: Int, expiresAt: Int, epoch: UInt64) {
        guard isEnabled else { return }
        let entry = Entry(userID: userID, username: username, sessionID: sessionID, expiresAt: expiresAt,
                          storedAt: monotonicNanoseconds())
        state.withLock { state in
            guard state.epoch == epoch else { return }
            if state.entries.count >= capacity { state.entries.removeAll(keepingCapacity: true) }
            state.entries[hash] = entry
        }
    }

    /// Drops the entries of sessions that ended.
    func forget(sessions ids: [Int]) {
        guard !ids.isEmpty else { return }
        let ended = Set(ids)
        state.withLock { state in
            state.epoch &+= 1
            let gone = state.entries.compactMap { ended.contains($0.value.sessionID) ? $0.key : nil }
            for hash in gone { state.entries[hash] = nil }
        }
    }
}
