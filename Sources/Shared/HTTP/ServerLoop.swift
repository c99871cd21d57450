import CLinux
import IO
import Runtime
#if canImport(Glibc)
import Glibc
#endif

/// One event loop's share of a `Server`: its listeners, its connections, and the per-loop caches
/// (read buffer, `Date` line, request ids). Everything here runs on `loop`'s thread.
final class ServerLoop {
    let loop: EventLoop
    let server: Server
    let limits: ServerLimits
    private var acceptors: [Acceptor] = []
    private(set) var connections: [ObjectIdentifier: HTTPConnection] = [:]
    private(set) var draining = false
    private var sweepTimer: LoopTimer?

    /// Scratch space every connection on this loop reads into; unconsumed bytes are copied out.
    let readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
    var dates = DateCache()
    private let idPrefix: String
    private var idCounter: UInt64 = 0

    /// Starts with no listener: `listen(on:)` adds them.
    init(loop: EventLoop, server: Server) {
        self.loop = loop
        self.server = server
        self.limits = server.config.limits
        var random = SystemRandomNumberGenerator()
        let prefix = String(random.next() & 0xFFFF_FFFF, radix: 16)
        idPrefix = String(repeating: "0", count: 8 - prefix.utf8.count) + prefix
        scheduleSweep()
    }

    deinit {
        readBuffer.deallocate()
    }

    // MARK: Accepting

    /// Accepts connections from `listener` on this loop until shutdown, and serves them here, or with
    /// `spread` on every loop of the server in turn.
    func listen(on listener: consuming FileDescriptor, spread: Bool = false) throws(SystemError) {
        acceptors.append(try Acceptor(owner: self, listener: listener, spread: spread))
    }

    /// Takes over a connected, non-blocking socket: an accepted one, or one end of a socketpair in tests.
    func adopt(_ socket: consuming FileDescriptor, remote: String) {
        guard !draining else { return socket.close() }
        let connection = HTTPConnection(owner: self, remote: remote, socket: socket)
        connections[ObjectIdentifier(connection)] = connection
        connection.start()
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
        for acceptor in acceptors { acceptor.close() }
        acceptors = []
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
