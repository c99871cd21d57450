/// Size and time limits of the HTTP server. Sizes are checked before anything is buffered.
public struct ServerLimits: Sendable {
    /// The longest request line (method, target, version); longer gets 414.
    public var maxRequestLine: Int
    /// The largest header block after the request line; larger gets 431.
    public var maxHeaderBytes: Int
    /// The most header fields in one request; more gets 431.
    public var maxHeaders: Int
    /// Seconds from a request's first byte until its head is complete; slower gets 408.
    public var headerTimeout: Double
    /// Seconds from the end of the head until the body is complete; slower gets 408.
    public var bodyTimeout: Double
    /// Seconds a keep-alive connection may sit idle between requests before it is closed.
    public var idleTimeout: Double
    /// Seconds a response may wait on a peer that does not read before the connection is dropped.
    public var writeTimeout: Double
    /// The most bytes queued for writing on one connection (upgraded connections' `write` refuses beyond it).
    public var maxOutbound: Int

    public init(maxRequestLine: Int = 8 * 1024, maxHeaderBytes: Int = 16 * 1024, maxHeaders: Int = 100,
                headerTimeout: Double = 15, bodyTimeout: Double = 15, idleTimeout: Double = 60,
                writeTimeout: Double = 30, maxOutbound: Int = 4 * 1024 * 1024) {
        self.maxRequestLine = maxRequestLine
        self.maxHeaderBytes = maxHeaderBytes
        self.maxHeaders = maxHeaders
        self.headerTimeout = headerTimeout
        self.bodyTimeout = bodyTimeout
        self.idleTimeout = idleTimeout
        self.writeTimeout = writeTimeout
        self.maxOutbound = maxOutbound
    }
}
