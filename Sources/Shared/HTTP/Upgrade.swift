/// What a protocol that took over a connection after `101 Switching Protocols` (WebSocket) may do
/// with it. Every member must be used on the connection's event-loop thread only; to get there
/// from another thread, use `executor`.
public protocol ConnectionContext: AnyObject {
    /// Runs work on this connection's event-loop thread; callable from any thread.
    var executor: any LoopExecutor { get }
    /// Queues bytes for writing. A shared buffer may be queued on many connections without copying.
    /// Returns false, and writes nothing, if the connection's outbound limit would be exceeded.
    @discardableResult func write(_ buffer: SharedBytes) -> Bool
    /// Queues bytes without writing them yet, so several buffers leave in one writev(2) at the next
    /// `flush()`. Returns false, and queues nothing, if the outbound limit would be exceeded.
    @discardableResult func enqueue(_ buffer: SharedBytes, limit: Int) -> Bool
    /// Writes what is queued, as far as the socket takes it.
    func flush()
    /// Bytes queued and not yet written to the socket.
    var pendingBytes: Int { get }
    /// Flushes what is queued, then closes.
    func close()
    /// Closes at once, dropping what is queued.
    func abort()
    /// Runs `work` on the loop after `seconds`, unless cancelled or the connection closed first.
    @discardableResult func schedule(after seconds: Double, _ work: @escaping () -> Void) -> TimerHandle
}

/// The protocol handler of an upgraded connection. All calls arrive on the connection's loop thread.
public protocol UpgradedConnection: AnyObject {
    /// The connection is now this handler's; `leftover` holds bytes that came after the request head.
    func start(context: any ConnectionContext, leftover: [UInt8])
    /// Bytes arrived from the peer.
    func received(_ bytes: UnsafeRawBufferPointer)
    /// The connection closed, by either side. Called exactly once.
    func closed()
    /// The server is shutting down: say goodbye in the protocol's own terms, then close. The server
    /// aborts what is still open when its shutdown grace period ends.
    func serverStopping()
}

/// Runs closures on one event-loop thread.
public protocol LoopExecutor: AnyObject, Sendable {
    func execute(_ work: @escaping @Sendable () -> Void)
    /// True when called on this loop's thread.
    var inLoop: Bool { get }
    /// Runs `work` on this loop after `seconds`. Call it on the loop's thread.
    func after(_ seconds: Double, _ work: @escaping () -> Void)
}

/// A scheduled timer that can be cancelled on its loop thread.
public protocol TimerHandle: AnyObject {
    func cancel()
}

/// Immutable bytes shared by reference, so one encoded frame can be queued on many sockets.
public final class SharedBytes: Sendable {
    public let bytes: [UInt8]
    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    public var count: Int { bytes.count }
}
