import Foundation
import HTTP
import IO

/// A response as a test sees it.
public struct TestResponse: Sendable {
    public var status: Int
    public var headers: Headers
    public var body: [UInt8]

    public var text: String { String(decoding: body, as: UTF8.self) }
    /// The body parsed with JSONSerialization (dictionaries, arrays, numbers, strings), or nil.
    public var json: Any? { try? JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed]) }
    /// `json` as an object.
    public var object: [String: Any] { json as? [String: Any] ?? [:] }
    /// The contract's error code (`{"error": {"code": …}}`), if the body is an error.
    public var errorCode: String? { (object["error"] as? [String: Any])?["code"] as? String }
}

/// A blocking HTTP/1.1 client over a raw socket, for tests. It writes exactly what it is given,
/// so malformed requests can be sent too.
///
///     let r = try TestHTTP.request(port, "POST", "/api/x", headers: [("Origin", origin)], json: ["a": 1])
///     #expect(r.status == 201)
public enum TestHTTP {
    /// Sends one request on a fresh connection and reads the response. `json` is serialized and sent
    /// with `Content-Type: application/json` unless a content type is given.
    public static func request(_ port: UInt16, _ method: String, _ path: String, headers: [(String, String)] = [],
                               json: Any? = nil, body: [UInt8]? = nil, host: String = "127.0.0.1",
                               timeout: Double = 10) throws -> TestResponse {
        let connection = try TestConnection(port: port, host: host, timeout: timeout)
        defer { connection.close() }
        try connection.send(encode(method, path, headers: headers, json: json, body: body, host: host, port: port))
        return try connection.readResponse(head: method == "HEAD")
    }

    public static func get(_ port: UInt16, _ path: String, headers: [(String, String)] = []) throws -> TestResponse {
        try request(port, "GET", path, headers: headers)
    }

    public static func post(_ port: UInt16, _ path: String, headers: [(String, String)] = [], json: Any? = nil) throws -> TestResponse {
        try request(port, "POST", path, headers: headers, json: json)
    }

    /// The bytes of a request with `Host`, `Content-Length` and (for `json`) `Content-Type` filled in.
    public static func encode(_ method: String, _ path: String, headers: [(String, String)] = [], json: Any? = nil,
                              body: [UInt8]? = nil, host: String = "127.0.0.1", port: UInt16 = 80) throws -> [UInt8] {
        var payload = body ?? []
        var all = headers
        if let json {
            payload = Array(try JSONSerialization.data(withJSONObject: json, options: [.fragmentsAllowed, .sortedKeys]))
            if !all.contains(where: { $0.0.lowercased() == "content-type" }) { all.append(("Content-Type", "application/json")) }
        }
        var text = "\(method) \(path) HTTP/1.1\r\n"
        if !all.contains(where: { $0.0.lowercased() == "host" }) { text += "Host: \(host):\(port)\r\n" }
        for (name, value) in all { text += "\(name): \(value)\r\n" }
        if (json != nil || body != nil) && !all.contains(where: { ["content-length", "transfer-encoding"].contains($0.0.lowercased()) }) {
            text += "Content-Length: \(payload.count)\r\n"
        }
        text += "\r\n"
        return Array(text.utf8) + payload
    }

    /// Sends raw bytes on a fresh connection and returns everything received until the server
    /// closes (or `timeout` passes).
    public static func raw(_ port: UInt16, _ bytes: [UInt8], timeout: Double = 10) throws -> [UInt8] {
        let connection = try TestConnection(port: port, timeout: timeout)
        defer { connection.close() }
        try connection.send(bytes)
        return try connection.readUntilClose()
    }

    /// Sends raw bytes and parses the first response.
    public static func rawResponse(_ port: UInt16, _ bytes: [UInt8], timeout: Double = 10) throws -> TestResponse {
        let connection = try TestConnection(port: port, timeout: timeout)
        defer { connection.close() }
        try connection.send(bytes)
        return try connection.readResponse()
    }
}

/// One client connection for keep-alive and pipelining tests.
public final class TestConnection: @unchecked Sendable {
    // Safety of @unchecked Sendable: a test uses one connection from one task at a time.
    private var socket: FileDescriptor?
    public let fd: Int32
    private var reader: ResponseReader

    public init(port: UInt16, host: String = "127.0.0.1", timeout: Double = 10) throws {
        let s = try Socket.connect(host: host, port: port, timeout: timeout)
        fd = s.rawValue
        reader = ResponseReader(fd: fd)
        socket = consume s
    }

    public init(unixPath: String, timeout: Double = 10) throws {
        let s = try Socket.connect(unixPath: unixPath, timeout: timeout)
        fd = s.rawValue
        reader = ResponseReader(fd: fd)
        socket = consume s
    }

    deinit { socket.take()?.close() }

    public func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw SystemError("send", errno: errno)
            }
            offset += n
        }
    }

    public func send(_ text: String) throws { try send(Array(text.utf8)) }

    public func readResponse(head: Bool = false) throws -> TestResponse {
        let r = try reader.read(head: head)
        return TestResponse(status: r.status, headers: r.headers, body: r.body)
    }

    /// Everything until the peer closes; throws on timeout.
    public func readUntilClose() throws -> [UInt8] {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let n = read(fd, &chunk, chunk.count)
            if n > 0 {
                out += chunk[..<n]
                continue
            }
            if n == 0 { return out }
            if errno == EINTR { continue }
            if errno == ECONNRESET { return out }
            throw SystemError("read", errno: errno)
        }
    }

    /// True when the server closed the connection within the socket timeout (EOF or reset).
    public func isClosedByPeer() -> Bool {
        var byte: UInt8 = 0
        while true {
            let n = read(fd, &byte, 1)
            if n == 0 { return true }
            if n < 0 && errno == EINTR { continue }
            return n < 0 && errno == ECONNRESET
        }
    }

    /// Half-closes the sending side.
    public func shutdownWrite() { _ = shutdown(fd, Int32(SHUT_WR)) }

    public func close() { socket.take()?.close() }
}
