import Foundation

/// A child server process for tests, plus the small helpers real servers need: a free loopback
/// port, a private temp directory, locating a binary, and waiting until a port answers.
public final class ServerProcess: @unchecked Sendable {
    // @unchecked Sendable: `pid` and `exitStatus` are read and written only under `lock`.
    private let lock = NSLock()
    private var child: pid_t?
    private var lastStatus: Int32?
    public let executable: String
    public let arguments: [String]
    public let logPath: String

    public init(executable: String, arguments: [String], logPath: String) {
        self.executable = executable
        self.arguments = arguments
        self.logPath = logPath
    }

    deinit { kill() }

    /// Spawns the process with stdout and stderr appended to `logPath`. posix_spawn resets the signal
    /// mask and dispositions, so a child of a test runner that blocks SIGTERM still obeys it.
    public func launch(environment: [String: String]? = nil) throws {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = sigset_t()
        sigfillset(&defaults)
        sigdelset(&defaults, SIGKILL)
        sigdelset(&defaults, SIGSTOP)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        let env = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = env.map { strdup($0) } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard rc == 0 else { throw TestServerError("cannot start \(executable): \(String(cString: strerror(rc)))") }
        lock.withLock {
            child = pid
            lastStatus = nil
        }
    }

    public var pid: Int32? { isRunning ? lock.withLock { child } : nil }

    public var isRunning: Bool {
        lock.withLock {
            guard let pid = child else { return false }
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                child = nil
                lastStatus = status
                return false
            }
            return true
        }
    }

    /// The raw wait status of the last exit, if the process ended.
    public var exitStatus: Int32? {
        _ = isRunning
        return lock.withLock { lastStatus }
    }

    /// Sends `sig`; with `wait`, waits until the process is gone.
    public func signal(_ sig: Int32, wait: Bool = true) {
        guard let pid = lock.withLock({ child }) else { return }
        Glibc.kill(pid, sig)
        if wait {
            if sig != SIGKILL { Glibc.kill(pid, SIGCONT) }
            waitForExit(timeout: nil)
        }
    }

    /// Waits up to `timeout` seconds (nil: forever) for the process to end; true if it did.
    @discardableResult
    public func waitForExit(timeout: Double?) -> Bool {
        let deadline = timeout.map { Date().addingTimeInterval($0) }
        while isRunning {
            if let deadline, Date() >= deadline { return false }
            usleep(5_000)
        }
        return true
    }

    /// SIGTERM and wait (SIGKILL after 10 s).
    public func stop() {
        guard let pid = lock.withLock({ child }) else { return }
        Glibc.kill(pid, SIGTERM)
        Glibc.kill(pid, SIGCONT)
        if !waitForExit(timeout: 10) { signal(SIGKILL) }
    }

    /// SIGKILL and wait: a crash, as far as the process can tell.
    public func kill() { signal(SIGKILL) }

    /// Everything the process wrote so far (read with plain POSIX calls).
    public var logText: String {
        let fd = open(logPath, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return "" }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            bytes += chunk[0..<n]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    // MARK: Helpers

    /// A port that was free on 127.0.0.1 a moment ago (bind to 0, read it back, close).
    public static func freeLoopbackPort() -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        precondition(fd >= 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { p in
                bind(fd, p, len) == 0 && getsockname(fd, p, &len) == 0
            }
        }
        precondition(ok, "cannot bind a loopback port")
        return UInt16(bigEndian: addr.sin_port)
    }

    /// A fresh private directory under the system temp dir.
    public static func makeTempDirectory(_ prefix: String) -> String {
        var template = Array((NSTemporaryDirectory() + "/\(prefix)-XXXXXX").utf8CString)
        let path = template.withUnsafeMutableBufferPointer { buf -> String in
            guard let p = mkdtemp(buf.baseAddress!) else { fatalError("mkdtemp failed: errno \(errno)") }
            return String(cString: p)
        }
        return path
    }

    /// The first executable named `name` in PATH or the usual system directories.
    public static func findExecutable(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let dirs = path.split(separator: ":").map(String.init) + ["/usr/local/bin", "/usr/bin", "/usr/sbin", "/bin"]
        for dir in dirs where access(dir + "/" + name, X_OK) == 0 { return dir + "/" + name }
        return nil
    }

    /// Connects to 127.0.0.1:`port`, sends `probe` (if any) and returns the first bytes answered,
    /// or nil when nothing listens or nothing came back within `timeout`.
    public static func probe(port: UInt16, send probe: [UInt8] = [], timeout: Double = 1) -> [UInt8]? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = port.bigEndian
        let connected = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return nil }
        if !probe.isEmpty {
            let sent = probe.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent == probe.count else { return nil }
        }
        var buffer = [UInt8](repeating: 0, count: 512)
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        return n > 0 ? Array(buffer[0..<n]) : nil
    }

    /// Polls `check` every 20 ms until it is true or `timeout` passes.
    public static func waitUntil(timeout: Double, _ check: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if check() { return true }
            usleep(20_000)
        }
        return check()
    }
}

/// A test server could not be started; the message says what to install or what went wrong.
public struct TestServerError: Error, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
