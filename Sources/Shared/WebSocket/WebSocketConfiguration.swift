/// Limits and timers of a `WebSocketConnection`. The defaults are the API's: 4 KiB client
/// messages, a ping every 30 s, and silence for 75 s closes the socket.
public struct WebSocketConfiguration: Sendable {
    /// The largest client message in bytes (over it: close 1009).
    public var maxMessage: Int
    /// Seconds between server pings.
    public var pingInterval: Double
    /// Seconds without any byte from the client after which the socket is closed (1001).
    public var idleTimeout: Double
    /// Bytes queued for a slow client beyond which it is dropped (close 1008, then abort).
    public var maxPending: Int
    /// Seconds to wait for the client's close frame after sending ours.
    public var closeTimeout: Double

    public init(maxMessage: Int = 4096, pingInterval: Double = 30, idleTimeout: Double = 75,
                maxPending: Int = 1 << 20, closeTimeout: Double = 5) {
        self.maxMessage = maxMessage
        self.pingInterval = pingInterval
        self.idleTimeout = idleTimeout
        self.maxPending = maxPending
        self.closeTimeout = closeTimeout
    }
}
