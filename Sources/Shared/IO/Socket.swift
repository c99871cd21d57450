import CLinux
#if canImport(Glibc)
import Glibc
#endif

/// TCP and Unix socket helpers over the `sys()` funnel. Every socket is created close-on-exec.
public enum Socket {
    private static let streamType = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)

    /// A non-blocking listening socket on `host:port` (port 0 picks a free port; read it back with
    /// `localPort`). `reusePort` lets several loops each bind their own listener to one port, and
    /// the kernel spreads connections over them.
    public static func listen(host: String, port: UInt16, backlog: Int32 = 1024, reusePort: Bool = false)
        throws(SystemError) -> FileDescriptor
    {
        var lastError = SystemError("getaddrinfo(\(host))", errno: EINVAL)
        for address in try resolve(host: host, port: port, passive: true) {
            guard let raw = try? sys("socket", { socket(address.family, streamType | Int32(SOCK_NONBLOCK.rawValue), 0) }) else {
                continue
            }
            let fd = FileDescriptor(raw)
            do throws(SystemError) {
                try setOption(fd.rawValue, SOL_SOCKET, SO_REUSEADDR, 1)
                if reusePort { try setOption(fd.rawValue, SOL_SOCKET, SO_REUSEPORT, 1) }
                _ = try address.withSockaddr { sa, len throws(SystemError) in try sys("bind") { bind(fd.rawValue, sa, len) } }
                _ = try sys("listen") { Glibc.listen(fd.rawValue, backlog) }
            } catch {
                lastError = error
                fd.close()
                continue
            }
            return fd
        }
        throw lastError
    }

    /// A non-blocking listening Unix stream socket at `path`, mode 0666: who may connect is decided by
    /// the permissions of the directory that holds it. A socket file left by a process that is gone is
    /// replaced; a socket someone still listens on, or any other file, is an error.
    public static func listen(unixPath path: String, backlog: Int32 = 1024) throws(SystemError) -> FileDescriptor {
        var address = try unixAddress(path)
        var info = stat()
        if lstat(path, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFSOCK else { throw SystemError("listen(\(path)): not a socket", errno: EEXIST) }
            if let live = try? connect(unixPath: path, timeout: 1) {
                live.close()
                throw SystemError("listen(\(path)): another process listens there", errno: EADDRINUSE)
            }
            _ = try sys("unlink") { unlink(path) }
        }
        let fd = FileDescriptor(try sys("socket") { socket(AF_UNIX, streamType | Int32(SOCK_NONBLOCK.rawValue), 0) }!)
        do throws(SystemError) {
            _ = try withSockaddr(&address) { sa, len throws(SystemError) in try sys("bind") { bind(fd.rawValue, sa, len) } }
            _ = try sys("chmod") { chmod(path, 0o666) }
            _ = try sys("listen") { Glibc.listen(fd.rawValue, backlog) }
        } catch {
            fd.close()
            throw error
        }
        return fd
    }

    /// A connected blocking Unix stream socket with `SO_RCVTIMEO`/`SO_SNDTIMEO` set to `timeout`.
    public static func connect(unixPath path: String, timeout: Double) throws(SystemError) -> FileDescriptor {
        var address = try unixAddress(path)
        let fd = FileDescriptor(try sys("socket") { socket(AF_UNIX, streamType, 0) }!)
        do throws(SystemError) {
            try setTimeout(fd.rawValue, seconds: timeout)
            let connected = try withSockaddr(&address) { sa, len throws(SystemError) in try sys("connect") { Glibc.connect(fd.rawValue, sa, len) } }
            if connected == nil { throw SystemError("connect", errno: EAGAIN) }  // backlog full past the timeout
        } catch {
            fd.close()
            throw error
        }
        return fd
    }

    /// Accepts one connection as a non-blocking socket with `TCP_NODELAY`; nil when none is waiting.
    /// `peer` receives the remote address (`127.0.0.1:53422`, or `local` on a Unix socket).
    public static func accept(_ listener: Int32, peer: inout String) throws(SystemError) -> FileDescriptor? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let flags = Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        let accepted = try withUnsafeMutablePointer(to: &storage) { ptr throws(SystemError) in
            try ptr.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa throws(SystemError) in
                try sys("accept4") { accept4(listener, sa, &length, flags) }
            }
        }
        guard let raw = accepted else { return nil }
        setNoDelay(raw)
        peer = format(&storage)
        return FileDescriptor(raw)
    }

    /// Sends small writes at once (no Nagle delay): responses are written whole anyway.
    public static func setNoDelay(_ fd: Int32) {
        var one: Int32 = 1
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    public static func setOption(_ fd: Int32, _ level: Int32, _ name: Int32, _ value: Int32) throws(SystemError) {
        var v = value
        _ = try sys("setsockopt") { setsockopt(fd, level, name, &v, socklen_t(MemoryLayout<Int32>.size)) }
    }

    /// The local port a socket is bound to.
    public static func localPort(_ fd: Int32) throws(SystemError) -> UInt16 {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = try withUnsafeMutablePointer(to: &storage) { ptr throws(SystemError) in
            try ptr.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa throws(SystemError) in
                try sys("getsockname") { getsockname(fd, sa, &length) }
            }
        }
        let family = storage.ss_family
        return withUnsafePointer(to: &storage) { ptr in
            if family == sa_family_t(AF_INET6) {
                return ptr.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin6_port) }
            }
            return ptr.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin_port) }
        }
    }

    /// A connected blocking socket, trying each address of `host` in turn; each attempt gives up after
    /// `timeout` seconds. `SO_RCVTIMEO`/`SO_SNDTIMEO` are set to `timeout` as well.
    public static func connect(host: String, port: UInt16, timeout: Double) throws(SystemError) -> FileDescriptor {
        var lastError = SystemError("getaddrinfo(\(host))", errno: EINVAL)
        for address in try resolve(host: host, port: port, passive: false) {
            guard let raw = try? sys("socket", { socket(address.family, streamType | Int32(SOCK_NONBLOCK.rawValue), 0) }) else {
                continue
            }
            let fd = FileDescriptor(raw)
            do throws(SystemError) {
                try connectNonBlocking(fd.rawValue, address, timeout: timeout)
                let flags = fcntl(fd.rawValue, F_GETFL)
                _ = fcntl(fd.rawValue, F_SETFL, flags & ~O_NONBLOCK)
                try setTimeout(fd.rawValue, seconds: timeout)
                setNoDelay(fd.rawValue)
            } catch {
                lastError = error
                fd.close()
                continue
            }
            return fd
        }
        throw lastError
    }

    /// Sets the receive and send timeouts of a blocking socket.
    public static func setTimeout(_ fd: Int32, seconds: Double) throws(SystemError) {
        var tv = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - Double(Int(seconds))) * 1_000_000))
        let size = socklen_t(MemoryLayout<timeval>.size)
        _ = try sys("setsockopt(SO_RCVTIMEO)") { setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, size) }
        _ = try sys("setsockopt(SO_SNDTIMEO)") { setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, size) }
    }

    private static func connectNonBlocking(_ fd: Int32, _ address: ResolvedAddress, timeout: Double) throws(SystemError) {
        let rc = address.withSockaddr { sa, len in Glibc.connect(fd, sa, len) }
        if rc == 0 { return }
        guard errno == EINPROGRESS || errno == EINTR else { throw SystemError("connect", errno: errno) }
        var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        let ready = try sys("poll") { poll(&pfd, 1, Int32(timeout * 1000)) } ?? 0
        guard ready > 0 else { throw SystemError("connect", errno: ETIMEDOUT) }
        var error: Int32 = 0
        var len = socklen_t(MemoryLayout<Int32>.size)
        _ = getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len)
        if error != 0 { throw SystemError("connect", errno: error) }
    }

    /// A connected pair of non-blocking Unix stream sockets, for tests of connection logic.
    public static func pair() throws(SystemError) -> (Int32, Int32) {
        var fds: [Int32] = [0, 0]
        let type = streamType | Int32(SOCK_NONBLOCK.rawValue)
        _ = try sys("socketpair") { socketpair(AF_UNIX, type, 0, &fds) }
        return (fds[0], fds[1])
    }

    // MARK: Addresses

    private static func unixAddress(_ path: String) throws(SystemError) -> sockaddr_un {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard !bytes.isEmpty, bytes.count < MemoryLayout.size(ofValue: address.sun_path), !bytes.contains(0) else {
            throw SystemError("unix socket path \"\(path)\"", errno: ENAMETOOLONG)
        }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        return address
    }

    private static func withSockaddr<R, E: Error>(_ address: inout sockaddr_un, _ body: (UnsafePointer<sockaddr>, socklen_t) throws(E) -> R) throws(E) -> R {
        try withUnsafePointer(to: &address) { ptr throws(E) in
            try ptr.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa throws(E) in
                try body(sa, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
    }

    struct ResolvedAddress {
        var family: Int32
        var storage: sockaddr_storage
        var length: socklen_t

        func withSockaddr<R, E: Error>(_ body: (UnsafePointer<sockaddr>, socklen_t) throws(E) -> R) throws(E) -> R {
            var copy = storage
            return try withUnsafePointer(to: &copy) { ptr throws(E) in
                try ptr.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa throws(E) in try body(sa, length) }
            }
        }
    }

    static func resolve(host: String, port: UInt16, passive: Bool) throws(SystemError) -> [ResolvedAddress] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        hints.ai_flags = passive ? AI_PASSIVE : 0
        var list: UnsafeMutablePointer<addrinfo>?
        let name = host == "*" || host.isEmpty ? "0.0.0.0" : host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        let rc = getaddrinfo(name, String(port), &hints, &list)
        guard rc == 0, let first = list else {
            let text = rc == EAI_SYSTEM ? errno : EHOSTUNREACH
            throw SystemError("getaddrinfo(\(host)): \(String(cString: gai_strerror(rc)))", errno: text)
        }
        defer { freeaddrinfo(first) }
        var out: [ResolvedAddress] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            var storage = sockaddr_storage()
            let length = info.pointee.ai_addrlen
            withUnsafeMutableBytes(of: &storage) { dst in
                dst.copyMemory(from: UnsafeRawBufferPointer(start: info.pointee.ai_addr, count: Int(length)))
            }
            out.append(ResolvedAddress(family: info.pointee.ai_family, storage: storage, length: length))
            cursor = info.pointee.ai_next
        }
        return out
    }

    /// `a.b.c.d:port` or `[v6]:port`.
    static func format(_ storage: inout sockaddr_storage) -> String {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        let family = storage.ss_family
        return withUnsafePointer(to: &storage) { ptr -> String in
            if family == sa_family_t(AF_INET6) {
                return ptr.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { a -> String in
                    var addr = a.pointee.sin6_addr
                    inet_ntop(AF_INET6, &addr, &text, socklen_t(text.count))
                    let host = text.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
                    return "[\(host)]:\(UInt16(bigEndian: a.pointee.sin6_port))"
                }
            }
            if family == sa_family_t(AF_INET) {
                return ptr.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { a -> String in
                    var addr = a.pointee.sin_addr
                    inet_ntop(AF_INET, &addr, &text, socklen_t(text.count))
                    let host = text.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
                    return "\(host):\(UInt16(bigEndian: a.pointee.sin_port))"
                }
            }
            return "local"
        }
    }
}
