import CLinux
import Glibc
import Runtime
import Synchronization

/// Receives Redis pub/sub messages on one connection, on a thread of its own.
///
/// The thread runs an epoll loop around one hiredis async context. `subscribe`/`unsubscribe` may be
/// called from any thread: they update the wanted channel set and wake the loop, which sends the
/// difference. When the link drops, the loop reconnects with exponential backoff and jitter,
/// re-subscribes every wanted channel, and once Redis confirmed them calls `onLinkRestored`, so the
/// owner can resynchronise whatever it may have missed. `onMessage` runs on the subscriber thread:
/// keep it short and non-blocking.
///
/// Messages for a channel stop being delivered as soon as `unsubscribe` returns, even if Redis
/// still sends a few before it processed the UNSUBSCRIBE.
public final class RedisSubscriber: Sendable {
    let state: SubscriberState
    private let settings: SubscriberSettings
    /// The subscriber thread, once started; it is never started twice.
    private let thread = Mutex<OwnedThread?>(nil)

    public init(
        host: String, port: UInt16, credentials: RedisCredentials? = nil, log: Log,
        connectTimeout: Double = 2, commandTimeout: Double = 5,
        onMessage: @escaping @Sendable (_ channel: String, _ payload: [UInt8]) -> Void,
        onLinkRestored: @escaping @Sendable () -> Void
    ) {
        state = SubscriberState()
        settings = SubscriberSettings(
            host: host, port: port, credentials: credentials, log: log, connectTimeout: connectTimeout,
            commandTimeout: commandTimeout, onMessage: onMessage, onLinkRestored: onLinkRestored)
    }

    /// Connects to `url` (the database number does not matter for pub/sub).
    public convenience init(
        url: RedisURL, log: Log,
        onMessage: @escaping @Sendable (_ channel: String, _ payload: [UInt8]) -> Void,
        onLinkRestored: @escaping @Sendable () -> Void
    ) {
        self.init(
            host: url.host, port: url.port, credentials: url.credentials, log: log, onMessage: onMessage,
            onLinkRestored: onLinkRestored)
    }

    deinit { state.requestStop() }

    /// Starts the subscriber thread. It keeps trying to connect until `stop()`.
    public func start() {
        let state = self.state, settings = self.settings
        thread.withLock { thread in
            guard thread == nil else { return }
            thread = OwnedThread(name: "redis-subscriber") {
                SubscriberLoop(state: state, settings: settings).run()
            }
        }
    }

    /// Closes the connection and ends the thread; waits for it unless called from `onMessage`.
    public func stop() {
        state.requestStop()
        guard let thread = thread.withLock({ $0 }), !thread.isCurrent else { return }
        thread.join()  // a second stop() returns at once
    }

    /// Adds channels to the wanted set. Thread-safe; returns before Redis confirmed.
    public func subscribe(_ channels: [String]) {
        change(channels) { $0.insert($1).inserted }
    }

    /// Removes channels from the wanted set; their messages stop being delivered at once.
    public func unsubscribe(_ channels: [String]) {
        change(channels) { $0.remove($1) != nil }
    }

    /// Applies `edit` (true when it changed the set) to the wanted set for each channel, records the
    /// channels it changed for the loop, and wakes the loop if there are any.
    private func change(_ channels: [String], _ edit: (inout Set<String>, String) -> Bool) {
        let changed = state.fields.withLock { f in
            var changed = false
            for channel in channels where edit(&f.desired, channel) {
                f.changed.insert(channel)
                changed = true
            }
            return changed
        }
        if changed { state.wake() }
    }

    /// True while the link is up and subscriptions are being served.
    public var isConnected: Bool { state.fields.withLock { $0.connected } }

    /// The channels Redis has confirmed on the current link.
    public var activeChannels: Set<String> { state.fields.withLock { $0.active } }
}

/// What the loop needs to run; all values are Sendable.
struct SubscriberSettings: Sendable {
    let host: String
    let port: UInt16
    let credentials: RedisCredentials?
    let log: Log
    let connectTimeout: Double
    let commandTimeout: Double
    let onMessage: @Sendable (String, [UInt8]) -> Void
    let onLinkRestored: @Sendable () -> Void
}

/// State shared between the owner's threads and the subscriber thread: a mutex-guarded value and
/// an eventfd to wake the loop.
final class SubscriberState: Sendable {
    struct Fields {
        var desired: Set<String> = []
        /// Channels added to or removed from `desired` since the loop last took them: each change
        /// costs the loop O(1), whatever the number of channels.
        var changed: Set<String> = []
        var active: Set<String> = []
        var connected = false
        var stopping = false
    }

    let fields = Mutex(Fields())
    let wakeFD: Int32

    init() {
        wakeFD = eventfd(0, Int32(EFD_CLOEXEC | EFD_NONBLOCK))
        precondition(wakeFD >= 0, "eventfd failed: errno \(errno)")
    }

    deinit { Glibc.close(wakeFD) }

    func wake() {
        var one: UInt64 = 1
        _ = withUnsafeBytes(of: &one) { Glibc.write(wakeFD, $0.baseAddress, 8) }
    }

    func requestStop() {
        fields.withLock { $0.stopping = true }
        wake()
    }

    /// The changed channels (or, for a new link, every channel), split by whether they are wanted
    /// now; forgets the changes.
    func takeChanges(all: Bool) -> (wanted: [String], unwanted: [String]) {
        fields.withLock { f in
            defer { f.changed.removeAll() }
            if all { return (Array(f.desired), []) }
            var wanted: [String] = [], unwanted: [String] = []
            for channel in f.changed {
                if f.desired.contains(channel) { wanted.append(channel) } else { unwanted.append(channel) }
            }
            return (wanted, unwanted)
        }
    }

    func drainWake() {
        var value: UInt64 = 0
        _ = withUnsafeMutableBytes(of: &value) { Glibc.read(wakeFD, $0.baseAddress, 8) }
    }
}
