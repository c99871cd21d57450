import CLinux
import IO
import Runtime
#if canImport(Glibc)
import Glibc
#endif

/// One event loop's share of a `Server`: its listener, its connections, and the per-loop caches
/// (read buffer, `Date` line, request ids). Everything here runs on `loop`'s thread.
final class ServerLoop: EventHandler {
    let loop: EventLoop
    let server: Server
    let limits: ServerLimits
    private var listener: FileDescriptor?
    private var listenerToken: UInt64 = 0
    private(set) var connections: [ObjectIdentifier: HTTPConnection] = [:]
    private(set) var draining = false
    private var sweepTimer: LoopTimer?
    private var acceptPaused = false

    /// Scratch space every connection on this loop reads into; unconsumed bytes are copied out.
    let readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
    var dates = DateCache()
    private let idPrefix: String
    private var idCounter: UInt64 = 0

    init(loop: EventLoop, server: Server, listener: consuming FileDescriptor) throws(SystemError) {
        self.loop = loop
        self.server = server
        self.limits = server.config.limits
        var random = SystemRandomNumberGenerator()
        let prefix = String(random.next() & 0xFFFF_FFFF, radix: 16)
        idPrefix = String(repeating: "0", count: 8 - prefix.utf8.count) + prefix
        let fd = listener.rawValue
        self.listener = consume listener
        listenerToken = try loop.register(fd, events: EPOLLIN.rawValue, handler: self)
        scheduleSweep()
    }

    deinit {
        readBuffer.deallocate()
        listener.take()?.close()
    }

    // MARK: Accepting

    func handle(events: UInt32) {
        guard let fd = listener?.rawValue else { return }
        var peer = ""
        while !draining {
            do {
                guard let socket = try Socket.accept(fd, peer: &peer) else { return }
                let connection = HTTPConnection(owner: self, remote: peer, socket: socket)
                connections[ObjectIdentifier(connection)] = connection
                connection.start()
            } catch {
                if error.errno == EMFILE || error.errno == ENFILE || error.errno == ENOBUFS || error.errno == ENOMEM {
                    // Out of descriptors: stop accepting briefly instead of spinning on a ready listener.
                    server.log.warning("accept paused", ["error": error.description])
                    pauseAccepting()
                    return
                }
                if error.errno == ECONNABORTED || error.errno == EPROTO { continue }
                server.log.error("accept failed", ["error": error.description])
                return
            }
        }
    }

    /// Takes over a connected, non-blocking socket as if it had been accepted.
    func adopt(_ socket: consuming FileDescriptor, remote: String) {
        let connection = HTTPConnection(owner: self, remote: remote, socket: socket)
        connections[ObjectIdentifier(connection)] = connection
        connection.start()
    }

    private func pauseAccepting() {
        guard !acceptPaused, let fd = listener?.rawValue else { return }
        acceptPaused = true
        try? loop.modify(fd, token: listenerToken, events: 0)
        loop.schedule(after: 0.1) { [self] in
            acceptPaused = false
            if let fd = listener?.rawValue { try? loop.modify(fd, token: listenerToken, events: EPOLLIN.rawValue) }
        }
    }

    func removed(_ connection: HTTPConnection) {
        connections[ObjectIdentifier(connection)] = nil
        if draining && connections.isEmpty { finish() }
    }

    // MARK: Request ids

    func nextRequestID() -> String {
        idCounter += 1
        let counter = String(idCounter, radix: 16)
        return idPrefix + "-" + String(repeating: "0", count: max(0, 6 - counter.utf8.count)) + counter
    }

    // MARK: Timeouts

    private var sweepInterval: Double {
        let shortest = min(limits.headerTimeout, limits.bodyTimeout, limits.idleTimeout, limits.writeTimeout)
        return max(0.05, min(1.0, shortest / 4))
    }

    private func scheduleSweep() {
        sweepTimer = loop.schedule(after: sweepInterval) { [self] in
            let now = monotonicNanoseconds()
            for connection in Array(connections.values) { connection.checkDeadline(now: now) }
            scheduleSweep()
        }
    }

    // MARK: Shutdown

    /// Stops accepting, closes idle connections, lets the others finish within the grace period.
    func beginShutdown(grace: Double) {
        guard !draining else { return }
        draining = true
        if let fd = listener.take() { loop.close(fd, token: listenerToken) }
        for connection in Array(connections.values) { connection.drain() }
        if connections.isEmpty {
            finish()
            return
        }
        loop.schedule(after: grace) { [self] in
            for connection in Array(connections.values) { connection.abort() }
            finish()
        }
    }

    private func finish() {
        sweepTimer?.cancel()
        loop.stop()
    }
}
