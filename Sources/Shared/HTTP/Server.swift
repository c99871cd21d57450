import IO
import Runtime
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// An HTTP/1.1 server: one epoll loop per core, each with its own `SO_REUSEPORT` listener (plus
/// one Unix socket listener, when `ServerConfig.unixSocket` is set, whose connections go to the
/// loops in turn);
/// `.inline` routes run on the loop, `.blocking` routes on a bounded worker pool, `.inlineFirst`
/// routes on the loop when they can answer there and on the pool otherwise.
///
///     let server = try Server(router: routes, config: ServerConfig(listen: config.listen), log: log)
///     try server.start()
///     // …
///     server.shutdown()
///     server.wait()
public final class Server: Sendable {
    public let router: Router
    public let config: ServerConfig
    public let log: Log
    let pool: WorkerPool

    private struct State {
        var loops: [EventLoop] = []
        var serverLoops: [LoopBound<ServerLoop>] = []
        var started = false
        var port: UInt16 = 0
        /// The Unix socket file this server created (device and inode), removed again in `wait()`.
        var socketFile: (dev: UInt, ino: UInt)?
    }

    private let state = Locked(State())
    private let draining = Atomic<Bool>(false)
    private let nextLoop = Atomic<Int>(0)

    public init(router: Router, config: ServerConfig, log: Log) throws {
        self.router = router
        self.config = config
        self.log = log
        pool = WorkerPool(threads: config.workers, maxQueued: config.maxQueued, name: "http-worker")
    }

    /// Binds the listeners and starts the loops.
    public func start() throws {
        try state.withLock { (s: inout State) throws in
            precondition(!s.started, "Server.start() called twice")
            s.started = true
            var port = config.listen?.port ?? 0
            for i in 0..<config.loops {
                let loop = try EventLoop(name: "http-\(i)")
                let serverLoop = ServerLoop(loop: loop, server: self)
                if let address = config.listen {
                    let listener = try Socket.listen(host: address.host, port: port, reusePort: true)
                    if i == 0 { port = try Socket.localPort(listener.rawValue) }
                    try serverLoop.listen(on: listener)
                }
                s.serverLoops.append(LoopBound(serverLoop, on: loop))
                s.loops.append(loop)
            }
            s.port = port
            // Unix sockets have no SO_REUSEPORT: the first loop accepts, and `adopt` deals the
            // connections out to every loop in turn.
            if let path = config.unixSocket {
                try s.serverLoops[0].value.listen(on: try Socket.listen(unixPath: path), spread: true)
                s.socketFile = Server.identity(of: path)
            }
            for loop in s.loops { loop.start() }
        }
    }

    /// The bound TCP port (after `start()`); 0 without a TCP listener.
    public var port: UInt16 { state.withLock { $0.port } }

    /// The event loops, for services that keep per-loop state (relay fan-out).
    public var loops: [any LoopExecutor] { state.withLock { $0.loops } }

    /// Serves an already connected socket on the loops in turn: connections from the Unix socket
    /// listener, and one end of a `socketpair` in tests.
    func adopt(_ socket: consuming FileDescriptor, remote: String = "local") {
        let raw = socket.release()
        let turn = nextLoop.wrappingAdd(1, ordering: .relaxed).oldValue
        let bound = state.withLock { s in s.serverLoops.isEmpty ? nil : s.serverLoops[turn % s.serverLoops.count] }
        guard let bound else { return FileDescriptor(raw).close() }
        bound.run { $0.adopt(FileDescriptor(raw), remote: remote) }
    }

    var isDraining: Bool { draining.load(ordering: .relaxed) }

    /// Stops accepting, closes idle connections, gives in-flight requests `shutdownGrace` seconds,
    /// then closes the rest. Returns at once; `wait()` blocks until it is done.
    public func shutdown() {
        guard !draining.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let grace = config.shutdownGrace
        for bound in state.withLock({ $0.serverLoops }) {
            bound.run { $0.beginShutdown(grace: grace) }
        }
    }

    /// Blocks until every loop has stopped (after `shutdown()`), then stops the worker pool.
    public func wait() {
        for loop in state.withLock({ $0.loops }) { loop.join() }
        pool.shutdown()
        // The loops have ended: drop them here, which also breaks the loop ↔ server reference cycle.
        let socketFile = state.withLock { s in
            s.serverLoops = []
            return s.socketFile
        }
        // Remove our socket file, unless a newer process has already put its own in its place.
        if let path = config.unixSocket, let ours = socketFile, let now = Server.identity(of: path),
           now == ours
        {
            unlink(path)
        }
    }

    private static func identity(of path: String) -> (dev: UInt, ino: UInt)? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return (UInt(info.st_dev), UInt(info.st_ino))
    }

    /// Runs a handler: an `HTTPError` becomes its response; any other error a logged 500.
    static func invoke(_ request: Request, _ handler: () throws -> Response) -> Response {
        do {
            return try handler()
        } catch let error as HTTPError {
            return .error(error)
        } catch {
            // The description of our error types carries no bound values or secrets (STYLE.md).
            request.log.error("handler failed", ["error.type": "\(type(of: error))", "error": "\(error)",
                                                 "http.path": request.path])
            return .error(.internalError)
        }
    }
}
