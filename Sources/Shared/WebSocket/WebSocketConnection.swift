import HTTP
import Runtime

/// A server-side WebSocket over a connection our HTTP server upgraded (see `Handshake.accept`).
///
/// It answers pings, pings the client every `pingInterval`, closes sockets that stay silent for
/// `idleTimeout`, runs the close handshake, fails the connection with the right close code on
/// bad frames (1002, 1007, 1009), and drops clients that do not read (1008).
///
/// Everything happens on the connection's event-loop thread: the callbacks are called there,
/// and `send`/`close` must be called there. From another thread, use `executor` or
/// `sendFromAnyThread(_:)`.
///
///     let socket = WebSocketConnection(log: request.log)
///     socket.onOpen = { ws in ws.send(text: #"{"type":"hello"}"#) }
///     socket.onText = { ws, text in ws.send(text: text) }
///     socket.onClose = { ws, code in registry.remove(ws) }
public final class WebSocketConnection: UpgradedConnection, @unchecked Sendable {
    // @unchecked Sendable: every stored property is read and written on the connection's loop
    // thread only (all entry points are the server's loop callbacks, timers scheduled on that
    // loop, and closures passed to `executor`). `sendFromAnyThread` only hops to the loop.

    public enum State: Sendable { case connecting, open, closing, closed }

    /// Called once, after the handshake, before any message: a good place to send a greeting.
    public var onOpen: ((WebSocketConnection) -> Void)?
    /// A complete text message (valid UTF-8, at most `maxMessage` bytes).
    public var onText: ((WebSocketConnection, String) -> Void)?
    /// A complete binary message. When nil, binary messages close the socket with 1003.
    public var onBinary: ((WebSocketConnection, [UInt8]) -> Void)?
    /// Called exactly once when the TCP connection is gone. `code` is the close code of the close
    /// handshake (the client's or ours), nil when the connection dropped without one.
    public var onClose: ((WebSocketConnection, UInt16?) -> Void)?

    public let configuration: WebSocketConfiguration
    public private(set) var state = State.connecting
    /// Runs work on this connection's loop thread; nil until the connection started.
    public private(set) var executor: (any LoopExecutor)?

    private let log: Log
    private var context: (any ConnectionContext)?
    private var parser: FrameParser
    private var closeCode: UInt16?
    private var lastHeard: UInt64 = 0
    private var pingTimer: (any TimerHandle)?
    private var idleTimer: (any TimerHandle)?
    private var closeTimer: (any TimerHandle)?

    public init(configuration: WebSocketConfiguration = WebSocketConfiguration(), log: Log) {
        self.configuration = configuration
        self.log = log
        self.parser = FrameParser(maxMessage: configuration.maxMessage)
    }

    // MARK: Sending

    /// Sends a text message. Returns false if the socket is not open or the client is too slow
    /// (the socket is then dropped).
    @discardableResult
    public func send(text: String) -> Bool {
        send(shared: SharedBytes(FrameEncoder.text(text)))
    }

    /// Queues an already encoded frame (from `FrameEncoder`), e.g. one fan-out frame shared by
    /// many sockets. Returns false if the socket is not open or the client is too slow (the
    /// socket is then closed with 1008 and dropped).
    @discardableResult
    public func send(shared frame: SharedBytes) -> Bool {
        guard state == .open else { return false }
        return write(frame)
    }

    /// Queues an encoded frame without writing it yet: call `flush()` after queueing a batch, so
    /// the batch leaves in one system call. A client too slow for it is dropped as in `send`.
    @discardableResult
    public func enqueue(shared frame: SharedBytes) -> Bool {
        guard state == .open, let context else { return false }
        if context.enqueue(frame, limit: configuration.maxPending) { return true }
        dropSlowClient(context)
        return false
    }

    /// Writes what `enqueue(shared:)` queued.
    public func flush() {
        context?.flush()
    }

    /// `send(shared:)` from any thread: hops to the connection's loop.
    public func sendFromAnyThread(_ frame: SharedBytes) {
        guard let executor else { return }
        if executor.inLoop {
            send(shared: frame)
        } else {
            executor.execute { self.send(shared: frame) }
        }
    }

    /// Starts the close handshake: sends a close frame, waits up to `closeTimeout` for the
    /// client's, then closes the TCP connection (RFC 6455 §7.1.2).
    public func close(_ code: CloseCode = .normal, reason: String = "") {
        guard state == .open else { return }
        state = .closing
        closeCode = code.rawValue
        write(SharedBytes(FrameEncoder.close(code, reason: reason)))
        closeTimer = context?.schedule(after: configuration.closeTimeout) { [weak self] in self?.context?.close() }
    }

    // MARK: UpgradedConnection

    public func start(context: any ConnectionContext, leftover: [UInt8]) {
        self.context = context
        executor = context.executor
        state = .open
        lastHeard = monotonicNanoseconds()
        schedulePing()
        scheduleIdleCheck(after: configuration.idleTimeout)
        onOpen?(self)
        if !leftover.isEmpty {
            leftover.withUnsafeBytes { received($0) }
        }
    }

    public func received(_ bytes: UnsafeRawBufferPointer) {
        lastHeard = monotonicNanoseconds()
        var offset = 0
        while state == .open || state == .closing {
            let frame: Frame?
            do {
                frame = try parser.parse(bytes, at: &offset)
            } catch {
                fail(error)
                return
            }
            guard let frame else { return }
            handle(frame)
        }
    }

    /// The server is shutting down: close with 1001 so the client reconnects (to another instance).
    public func serverStopping() {
        close(.goingAway, reason: "server restarting")
    }

    public func closed() {
        guard state != .closed else { return }
        state = .closed
        for timer in [pingTimer, idleTimer, closeTimer] { timer?.cancel() }
        pingTimer = nil
        idleTimer = nil
        closeTimer = nil
        let onClose = self.onClose
        // Drop the callbacks so closures that captured the connection's owners are released.
        self.onOpen = nil
        self.onText = nil
        self.onBinary = nil
        self.onClose = nil
        context = nil
        onClose?(self, closeCode)
    }

    // MARK: Internals

    private func handle(_ frame: Frame) {
        switch frame.opcode {
        case .text:
            if state == .open { onText?(self, frame.text) }
        case .binary:
            guard state == .open else { return }
            if let onBinary {
                onBinary(self, frame.payload)
            } else {
                fail(WebSocketError(.unsupportedData, "binary messages are not accepted"))
            }
        case .ping:
            // §5.5.2: answer with a pong carrying the same data, unless we are closing.
            if state == .open { write(SharedBytes(FrameEncoder.pong(frame.payload))) }
        case .pong, .continuation:
            break
        case .close:
            if state == .open {
                // §5.5.1: echo the client's status code, then the server closes TCP first (§7.1.1).
                closeCode = frame.closeCode
                state = .closing
                write(SharedBytes(frame.closeCode.map { FrameEncoder.close(rawCode: $0) } ?? FrameEncoder.encode(.close, [])))
            }
            context?.close()
        }
    }

    /// §7.1.7: fail the connection: send the close code, then close without waiting.
    private func fail(_ error: WebSocketError) {
        log.debug("websocket failed", ["ws.close_code": "\(error.code.rawValue)", "ws.reason": error.reason])
        if state == .open {
            closeCode = error.code.rawValue
            write(SharedBytes(FrameEncoder.close(error.code, reason: error.reason)))
        }
        enterClosing()
        context?.close()
    }

    /// Queues bytes; drops a client whose backlog would pass `maxPending`.
    @discardableResult
    private func write(_ frame: SharedBytes) -> Bool {
        guard let context else { return false }
        if context.pendingBytes + frame.count <= configuration.maxPending, context.write(frame) { return true }
        dropSlowClient(context)
        return false
    }

    /// Closes with 1008 and drops what is queued: the client reconnects and catches up.
    private func dropSlowClient(_ context: any ConnectionContext) {
        log.debug("websocket client too slow", ["ws.pending_bytes": "\(context.pendingBytes)"])
        enterClosing()
        closeCode = CloseCode.policyViolation.rawValue
        context.write(SharedBytes(FrameEncoder.close(.policyViolation, reason: "client too slow")))
        context.abort()
    }

    /// A write may drop the connection, and the server may report `closed()` right away.
    private func enterClosing() {
        if state != .closed { state = .closing }
    }

    private func schedulePing() {
        pingTimer = context?.schedule(after: configuration.pingInterval) { [weak self] in
            guard let self, self.state == .open else { return }
            self.write(SharedBytes(FrameEncoder.ping()))
            self.schedulePing()
        }
    }

    private func scheduleIdleCheck(after seconds: Double) {
        idleTimer = context?.schedule(after: seconds) { [weak self] in
            guard let self, self.state == .open || self.state == .closing else { return }
            let silent = Double(monotonicNanoseconds() - self.lastHeard) / 1e9
            if silent >= self.configuration.idleTimeout {
                self.log.debug("websocket idle", ["ws.silent_seconds": "\(Int(silent))"])
                if self.state == .open {
                    self.closeCode = CloseCode.goingAway.rawValue
                    self.write(SharedBytes(FrameEncoder.close(.goingAway, reason: "idle")))
                }
                self.enterClosing()
                self.context?.close()
            } else {
                self.scheduleIdleCheck(after: self.configuration.idleTimeout - silent)
            }
        }
    }
}
