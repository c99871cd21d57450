import Runtime
#if canImport(Glibc)
import Glibc
#endif

/// How a `Server` listens and how much it takes on.
public struct ServerConfig: Sendable {
    /// Where to listen on TCP, or nil for the Unix socket only; port 0 picks any free port (read it
    /// back from `Server.port`).
    public var listen: HostPort?
    /// Also (or only) listen on this Unix socket path (nginx in front reaches the service through
    /// it: cheaper per request and per WebSocket frame than TCP over loopback).
    public var unixSocket: String?
    /// Event-loop threads, each with its own `SO_REUSEPORT` listener.
    public var loops: Int
    /// Worker threads for `.blocking` routes.
    public var workers: Int
    /// Blocking jobs that may wait for a worker; beyond that requests get 503.
    public var maxQueued: Int
    public var limits: ServerLimits
    /// Seconds that in-flight requests get to finish after `shutdown()`.
    public var shutdownGrace: Double

    public init(listen: HostPort?, unixSocket: String? = nil, loops: Int = ServerConfig.cores, workers: Int = 16,
                maxQueued: Int = 1024, limits: ServerLimits = ServerLimits(), shutdownGrace: Double = 10) {
        precondition(listen != nil || unixSocket != nil, "a server needs a TCP address or a Unix socket")
        self.listen = listen
        self.unixSocket = unixSocket
        self.loops = max(1, loops)
        self.workers = max(1, workers)
        self.maxQueued = max(0, maxQueued)
        self.limits = limits
        self.shutdownGrace = shutdownGrace
    }

    /// Where it listens, for logs: `127.0.0.1:8081`, `unix:/run/chat/auth.sock`, or both.
    public var listeners: String {
        [listen?.description, unixSocket.map { "unix:\($0)" }].compactMap { $0 }.joined(separator: " ")
    }

    /// The number of online CPU cores.
    public static var cores: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }
}
