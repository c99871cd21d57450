import Runtime
#if canImport(Glibc)
import Glibc
#endif

/// Runs a service's HTTP server until SIGTERM or SIGINT, then stops gracefully and exits 0.
///
///     serve(service.routes, config: ServerConfig(listen: config.listen), log: log)
public func serve(_ router: Router, config: ServerConfig, log: Log, onShutdown: @escaping @Sendable () -> Void = {}) -> Never {
    Signals.blockTermination()  // before any thread starts, so the signal reaches only the signal thread
    let files = raiseOpenFileLimit()
    let server: Server
    do {
        server = try Server(router: router, config: config, log: log)
        try server.start()
    } catch {
        log.error("server failed to start", ["listen": config.listeners, "error": "\(error)"])
        exit(1)
    }
    var bound = config
    bound.listen?.port = server.port
    log.info("listening", ["listen": bound.listeners, "loops": String(config.loops),
                           "workers": String(config.workers), "max_open_files": String(files)])
    Signals.onTermination { name in
        log.info("stopping", ["signal": name])
        server.shutdown()
    }
    server.wait()
    onShutdown()
    log.info("stopped")
    exit(0)
}

/// Raises the soft limit on open descriptors to the hard limit (often 1024 → 1M): every socket is one.
/// Returns the limit now in force.
@discardableResult
public func raiseOpenFileLimit() -> UInt {
    var limit = rlimit()
    guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 0 }
    if limit.rlim_cur < limit.rlim_max {
        let wanted = limit
        limit.rlim_cur = wanted.rlim_max
        if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) != 0 { limit = wanted }
    }
    return UInt(limit.rlim_cur)
}
