import IO
import Runtime
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A small blocking HTTP/1.1 client for service-to-service calls from worker threads. It keeps
/// idle connections for reuse (keep-alive) and applies `timeout` to connecting, sending and
/// each wait for response bytes. Never call it on an event-loop thread.
///
///     let rooms = HTTPClient(.tcp(HostPort(host: "127.0.0.1", port: 8082)))
///     let r = try rooms.request("GET", "/internal/users/7/rooms")
public final class HTTPClient: Sendable {
    /// Where the server listens.
    public enum Target: Sendable, Equatable, CustomStringConvertible {
        case tcp(HostPort)
        /// A Unix socket path.
        case unix(String)

        public var description: String {
            switch self {
            case .tcp(let address): "http://\(address)"
            case .unix(let path): "unix:\(path)"
            }
        }

        /// The `Host` header: the address, or `localhost` on a Unix socket.
        var hostHeader: String {
            switch self {
            case .tcp(let a): "\(a.host.contains(":") ? "[\(a.host)]" : a.host):\(a.port)"
            case .unix: "localhost"
            }
        }
    }

    public let target: Target
    public let timeout: Double
    private let idle = Locked<[ClientConnection]>([])
    /// Idle connections kept for reuse.
    public let maxIdle: Int

    public init(_ target: Target, timeout: Double = 5, maxIdle: Int = 8) {
        self.target = target
        self.timeout = timeout
        self.maxIdle = maxIdle
    }

    deinit {
        for connection in idle.withLock({ $0 }) { connection.close() }
    }

    /// Sends one request and reads the whole response. A reused connection that turns out to be
    /// closed by the server is replaced once, transparently, by a new connection: the other idle ones
    /// were most likely closed by the same idle timeout.
    public func request(_ method: String, _ target: String, headers: [(String, String)] = [],
                        body: [UInt8] = []) throws -> ClientResponse {
        let message = encode(method, target, headers, body)
        var attempt = 0
        while true {
            attempt += 1
            let reused = attempt == 1 ? idle.withLock { $0.popLast() } : nil
            let connection = try reused ?? ClientConnection(self.target, timeout: timeout)
            var reader = connection.reader
            do {
                try connection.send(message)
                let response = try reader.read(head: method == "HEAD")
                connection.reader = reader
                if reader.mustClose {
                    connection.close()
                } else {
                    let kept = idle.withLock { list -> Bool in
                        guard list.count < maxIdle else { return false }
                        list.append(connection)
                        return true
                    }
                    if !kept { connection.close() }
                }
                return response
            } catch {
                let retryable = reused != nil && !reader.receivedAny && attempt == 1
                connection.close()
                if !retryable { throw error }
            }
        }
    }

    private func encode(_ method: String, _ target: String, _ headers: [(String, String)], _ body: [UInt8]) -> [UInt8] {
        var text = "\(method) \(target) HTTP/1.1\r\n"
        var hasHost = false
        for (name, value) in headers {
            precondition(ResponseEncoder.isSafe(name, value), "invalid header \(name)")
            if Headers.same(name, "Host") { hasHost = true }
            if Headers.same(name, "Content-Length") || Headers.same(name, "Connection") { continue }
            text += "\(name): \(value)\r\n"
        }
        if !hasHost { text += "Host: \(self.target.hostHeader)\r\n" }
        if !body.isEmpty || ["POST", "PUT", "PATCH"].contains(method) { text += "Content-Length: \(body.count)\r\n" }
        text += "\r\n"
        return Array(text.utf8) + body
    }
}

/// One blocking client socket. Used by one thread at a time: it is either in the idle list
/// (under its lock) or owned by the request using it.
final class ClientConnection: @unchecked Sendable {
    // Safety of @unchecked Sendable: see above; the idle list's Mutex hands it between threads.
    private var socket: FileDescriptor?
    let fd: Int32
    var reader: ResponseReader

    init(_ target: HTTPClient.Target, timeout: Double) throws {
        let socket = switch target {
        case .tcp(let address): try Socket.connect(host: address.host, port: address.port, timeout: timeout)
        case .unix(let path): try Socket.connect(unixPath: path, timeout: timeout)
        }
        fd = socket.rawValue
        reader = ResponseReader(fd: fd)
        self.socket = consume socket
    }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        try bytes.withUnsafeBytes { buf in
            while offset < buf.count {
                let n = Glibc.send(fd, buf.baseAddress! + offset, buf.count - offset, Int32(MSG_NOSIGNAL))
                if n < 0 {
                    if errno == EINTR { continue }
                    if errno == EAGAIN { throw HTTPClientError("timed out sending the request") }
                    throw SystemError("send", errno: errno)
                }
                offset += n
            }
        }
    }

    func close() { socket.take()?.close() }

    deinit { socket.take()?.close() }
}
