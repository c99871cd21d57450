import IO
#if canImport(Glibc)
import Glibc
#endif

/// Reads HTTP/1.1 responses from a blocking socket (timeouts come from `SO_RCVTIMEO`).
/// Handles Content-Length, chunked and read-until-close bodies, and skips `1xx` answers.
public struct ResponseReader {
    public let fd: Int32
    private var buffer: [UInt8] = []
    private var start = 0
    public var maxHead = 64 * 1024
    public var maxBody = 64 * 1024 * 1024
    /// True once a response said `Connection: close` or was delimited by the close.
    public private(set) var mustClose = false
    /// Bytes received so far for the response being read (a reused connection that fails with none
    /// may be retried).
    public private(set) var receivedAny = false

    public init(fd: Int32) { self.fd = fd }

    /// Reads one response. `head` is true for a HEAD request (no body follows).
    public mutating func read(head: Bool = false) throws -> ClientResponse {
        receivedAny = false
        while true {
            let response = try readOne(head: head)
            if response.status >= 100 && response.status < 200 && response.status != 101 { continue }
            return response
        }
    }

    private mutating func readOne(head isHead: Bool) throws -> ClientResponse {
        let statusLine = try line()
        let parts = statusLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]), (100...999).contains(status) else {
            throw HTTPClientError("malformed status line")
        }
        var headers = Headers()
        var headBytes = statusLine.utf8.count
        while true {
            let l = try line()
            headBytes += l.utf8.count
            guard headBytes <= maxHead else { throw HTTPClientError("response head too large") }
            if l.isEmpty { break }
            guard let colon = l.firstIndex(of: ":") else { throw HTTPClientError("malformed header line") }
            let value = l[l.index(after: colon)...].trimmingWhitespace()
            headers.add(String(l[..<colon]), value)
        }
        if let c = headers["Connection"], c.lowercased().contains("close") { mustClose = true }
        if parts[0] == "HTTP/1.0" && headers["Connection"]?.lowercased().contains("keep-alive") != true { mustClose = true }
        if isHead || status < 200 || status == 204 || status == 304 {
            return ClientResponse(status: status, headers: headers, body: [])
        }
        if let te = headers["Transfer-Encoding"], te.lowercased().contains("chunked") {
            var body: [UInt8] = []
            while true {
                let sizeLine = try line()
                let hex = sizeLine.split(separator: ";", maxSplits: 1).first.map(String.init)?.trimmingWhitespace() ?? ""
                guard let size = Int(hex, radix: 16), size >= 0, body.count + size <= maxBody else {
                    throw HTTPClientError("bad chunk size")
                }
                if size == 0 {
                    while try !line().isEmpty {}
                    break
                }
                body += try bytes(size)
                guard try line().isEmpty else { throw HTTPClientError("bad chunk end") }
            }
            return ClientResponse(status: status, headers: headers, body: body)
        }
        if let cl = headers["Content-Length"] {
            guard let n = Int(cl), n >= 0, n <= maxBody else { throw HTTPClientError("bad Content-Length") }
            return ClientResponse(status: status, headers: headers, body: try bytes(n))
        }
        mustClose = true
        var body: [UInt8] = []
        while try fill() {
            body += buffer[start...]
            start = buffer.count
            guard body.count <= maxBody else { throw HTTPClientError("response body too large") }
        }
        return ClientResponse(status: status, headers: headers, body: body)
    }

    /// Reads more bytes; false at end of stream.
    private mutating func fill() throws -> Bool {
        if start > 0 && start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        }
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let n = Glibc.read(fd, &chunk, chunk.count)
            if n > 0 {
                buffer += chunk[..<n]
                receivedAny = true
                return true
            }
            if n == 0 { return false }
            if errno == EINTR { continue }
            if errno == EAGAIN { throw HTTPClientError("timed out waiting for the response") }
            throw SystemError("read", errno: errno)
        }
    }

    private mutating func line() throws -> String {
        var scanned = 0  // bytes after `start` already searched; `fill` may move `start`
        while true {
            if let lf = buffer[(start + scanned)...].firstIndex(of: 0x0A) {
                var end = lf
                if end > start && buffer[end - 1] == 0x0D { end -= 1 }
                let text = String(decoding: buffer[start..<end], as: UTF8.self)
                start = lf + 1
                return text
            }
            scanned = buffer.count - start
            guard scanned <= maxHead else { throw HTTPClientError("response line too long") }
            guard try fill() else { throw HTTPClientError("connection closed before the response was complete") }
        }
    }

    private mutating func bytes(_ n: Int) throws -> [UInt8] {
        while buffer.count - start < n {
            guard try fill() else { throw HTTPClientError("connection closed before the response was complete") }
        }
        let out = Array(buffer[start..<start + n])
        start += n
        return out
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let c = s.first, c == " " || c == "\t" { s.removeFirst() }
        while let c = s.last, c == " " || c == "\t" { s.removeLast() }
        return String(s)
    }
}
