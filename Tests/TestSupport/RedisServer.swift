import Foundation

/// A private `redis-server` on a free loopback port, with its own temp directory.
///
///     let redis = try RedisServer.start()
///     defer { redis.stop() }
///     let client = RedisClient(host: "127.0.0.1", port: redis.port)
public final class RedisServer: Sendable {
    public let port: UInt16
    public let directory: String
    public let persistent: Bool
    /// The password clients must send (`requirepass`), if any.
    public let password: String?
    private let process: ServerProcess

    /// Starts redis-server (no persistence unless `persistent`: then an append-only file in the
    /// temp dir, which survives `restart()`), asking clients for `password` if one is given. Throws,
    /// saying what to install, if it is missing.
    public static func start(persistent: Bool = false, password: String? = nil) throws -> RedisServer {
        guard let binary = ServerProcess.findExecutable("redis-server") else {
            throw TestServerError("redis-server not found: install it with `apt-get install redis-server`")
        }
        // Another test may bind the free port between our choosing it and Redis binding it (the
        // suites run in parallel): then Redis exits at once, and a new port is tried.
        for attempt in 1... {
            let server = RedisServer(binary: binary, persistent: persistent, password: password)
            do {
                try server.launch()
                return server
            } catch where attempt < 5 && server.portWasTaken {
                continue
            }
        }
        fatalError("unreachable")
    }

    private init(binary: String, persistent: Bool, password: String?) {
        port = ServerProcess.freeLoopbackPort()
        directory = ServerProcess.makeTempDirectory("redis-test")
        self.persistent = persistent
        self.password = password
        let args = (password.map { ["--requirepass", $0] } ?? []) + [
            "--port", "\(port)", "--bind", "127.0.0.1", "--dir", directory, "--daemonize", "no",
            "--save", "", "--appendonly", persistent ? "yes" : "no", "--appendfsync", "always",
            "--protected-mode", "no", "--loglevel", "warning", "--enable-debug-command", "local",
        ]
        process = ServerProcess(executable: binary, arguments: args, logPath: directory + "/redis.log")
    }

    deinit {
        process.kill()
        try? FileManager.default.removeItem(atPath: directory)
    }

    public var url: String { "redis://\(password.map { ":\($0)@" } ?? "")127.0.0.1:\(port)" }

    private func launch() throws {
        try process.launch()
        var exited = false
        let up = ServerProcess.waitUntil(timeout: 10) {
            exited = !process.isRunning
            guard !exited, let answer = ServerProcess.probe(port: port, send: Array("PING\r\n".utf8)) else { return exited }
            // With a password set, Redis answers an unauthenticated PING with NOAUTH: it is up.
            return answer.starts(with: Array("+PONG".utf8)) || answer.starts(with: Array("-NOAUTH".utf8))
        }
        if !up || exited {
            process.kill()
            throw TestServerError("redis-server did not answer on port \(port): \(process.logText)")
        }
    }

    /// True when the server exited during `launch()` because its port was already taken.
    private var portWasTaken: Bool { !process.isRunning && process.logText.contains("Address already in use") }

    /// Graceful stop (SIGTERM).
    public func stop() { process.stop() }

    /// SIGKILL: Redis vanishes without closing anything cleanly.
    public func kill() { process.kill() }

    /// Stops (if running) and starts again on the same port and directory.
    public func restart() throws {
        process.stop()
        try launch()
    }

    /// SIGSTOP: the server keeps its sockets but answers nothing (for timeout tests).
    public func pause() { process.signal(SIGSTOP, wait: false) }

    /// SIGCONT after `pause()`.
    public func resume() { process.signal(SIGCONT, wait: false) }

    public var isRunning: Bool { process.isRunning }
}
