#if canImport(Glibc)
import Glibc
#endif

/// An HTTP/1.x request parser: a state machine over bytes that never touches a socket.
///
/// Feed it the unconsumed input each time; it answers with an event and how many bytes it
/// consumed. Bytes not consumed must be offered again, followed by whatever arrived since.
///
///     .head(h)   → route it, then `acceptBody(limit:)` (throws 413 from Content-Length)
///     .body(b)   → the whole body (empty when there is none); the parser is ready for the next request
///     .needMore  → read more bytes
///
/// Every limit is checked before bytes are kept: the request line (414), the header block and the
/// header count (431), and the body (413). Anything malformed throws a 400 (505 for an unknown
/// HTTP version) after which the connection must be closed.
public struct RequestParser {
    public enum Event {
        case needMore
        case head(RequestHead)
        case body([UInt8])
    }

    private enum State {
        case requestLine
        case headers
        case awaitingBodyLimit
        case fixed(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkEnd
        case trailers
        case done
    }

    public var limits: ServerLimits
    private var state = State.requestLine
    /// Bytes of the current, incomplete line already searched for LF.
    private var scanned = 0
    private var emptyLines = 0
    private var headerBytes = 0
    private var method = ""
    private var target = ""
    private var version = HTTPVersion.http1_1
    private var fields: [(String, String)] = []
    private var framing = BodyFraming.none
    private var body: [UInt8] = []
    private var bodyLimit = 0
    private var scan = HeaderScan()

    /// Facts gathered while the header lines go by, so nothing is looked up twice.
    private struct HeaderScan {
        var hosts = 0
        var contentLength: Int? = nil
        var contentLengthInvalid = false
        var transferEncoding: [UInt8]? = nil
        var close = false
        var keepAlive = false
        var upgradeToken = false
        var upgradeHeader = false
        var expectContinue = false
    }

    /// The longest chunk-size line (with extensions) accepted.
    static let maxChunkLine = 4096
    static let chunkLineTooLong = HTTPParseError.bad("A chunk size line is too long.")
    /// Empty lines tolerated before a request line (RFC 9112 §2.2).
    static let maxEmptyLines = 8

    public init(limits: ServerLimits = ServerLimits()) { self.limits = limits }

    /// True between requests, when no byte of the next request has been consumed.
    public var isIdle: Bool {
        if case .requestLine = state { return scanned == 0 && emptyLines == 0 }
        return false
    }

    /// True while the head is complete and the body is being read.
    public var isReadingBody: Bool {
        switch state {
        case .fixed, .chunkSize, .chunkData, .chunkEnd, .trailers: true
        default: false
        }
    }

    /// Decides the body limit for the head just returned. Throws 413 when Content-Length is larger.
    public mutating func acceptBody(limit: Int) throws(HTTPParseError) {
        guard case .awaitingBodyLimit = state else { preconditionFailure("acceptBody without a head") }
        bodyLimit = limit
        switch framing {
        case .none:
            state = .done
        case .length(let n):
            guard n <= limit else { throw .bodyTooLarge }
            body.reserveCapacity(n)
            state = n == 0 ? .done : .fixed(remaining: n)
        case .chunked:
            state = .chunkSize
        }
    }

    public mutating func parse(_ input: UnsafeRawBufferPointer) throws(HTTPParseError) -> (Event, consumed: Int) {
        var offset = 0
        while true {
            switch state {
            case .requestLine, .headers, .chunkSize, .trailers:
                guard let lf = findLF(input, from: offset) else {
                    try checkPartialLine(input.count - offset)
                    return (.needMore, offset)
                }
                var end = lf
                if end > offset && input[end - 1] == 0x0D { end -= 1 }
                let line = UnsafeRawBufferPointer(rebasing: input[offset..<end])
                let lineLength = lf + 1 - offset
                offset = lf + 1
                scanned = 0
                if let head = try consumeLine(line, length: lineLength) {
                    return (.head(head), offset)
                }
            case .awaitingBodyLimit:
                preconditionFailure("call acceptBody(limit:) after a head")
            case .fixed(let remaining):
                let n = min(remaining, input.count - offset)
                body.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[offset..<offset + n]))
                offset += n
                if n == remaining {
                    state = .done
                } else {
                    state = .fixed(remaining: remaining - n)
                    return (.needMore, offset)
                }
            case .chunkData(let remaining):
                let n = min(remaining, input.count - offset)
                body.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[offset..<offset + n]))
                offset += n
                if n == remaining {
                    state = .chunkEnd
                } else {
                    state = .chunkData(remaining: remaining - n)
                    return (.needMore, offset)
                }
            case .chunkEnd:
                // The CRLF after chunk data (a bare LF is tolerated, as for every line).
                guard offset < input.count else { return (.needMore, offset) }
                if input[offset] == 0x0A {
                    offset += 1
                } else if input[offset] == 0x0D {
                    guard offset + 1 < input.count else { return (.needMore, offset) }
                    guard input[offset + 1] == 0x0A else { throw .bad("A chunk is longer than its size.") }
                    offset += 2
                } else {
                    throw .bad("A chunk is longer than its size.")
                }
                state = .chunkSize
            case .done:
                let result = body
                reset()
                return (.body(result), offset)
            }
        }
    }

    private mutating func reset() {
        state = .requestLine
        scanned = 0
        emptyLines = 0
        headerBytes = 0
        method = ""
        target = ""
        fields = []
        framing = .none
        body = []
        scan = HeaderScan()
    }

    private mutating func findLF(_ input: UnsafeRawBufferPointer, from offset: Int) -> Int? {
        let start = offset + scanned
        guard start < input.count, let base = input.baseAddress else { return nil }
        guard let hit = memchr(base + start, 0x0A, input.count - start) else { return nil }
        return base.distance(to: UnsafeRawPointer(hit))
    }

    /// A line without its LF yet: fail as soon as it cannot fit its limit.
    private mutating func checkPartialLine(_ pending: Int) throws(HTTPParseError) {
        scanned = pending
        switch state {
        // `pending` may end in the CR of a line at the limit, hence the + 1: a line fails here exactly
        // when it would fail once complete, so the outcome never depends on how input was split.
        case .requestLine: if pending > limits.maxRequestLine + 1 { throw .uriTooLong }
        case .headers, .trailers: if headerBytes + pending > limits.maxHeaderBytes + 1 { throw .headersTooLarge }
        case .chunkSize: if pending > RequestParser.maxChunkLine + 1 { throw RequestParser.chunkLineTooLong }
        default: break
        }
    }

    /// Handles one complete line (without CR LF); returns the head when the header block ended.
    private mutating func consumeLine(_ line: UnsafeRawBufferPointer, length: Int) throws(HTTPParseError) -> RequestHead? {
        switch state {
        case .requestLine:
            if line.isEmpty {
                emptyLines += 1
                guard emptyLines <= RequestParser.maxEmptyLines else { throw .bad("Expected a request line.") }
                return nil
            }
            guard length <= limits.maxRequestLine + 2 else { throw .uriTooLong }
            try parseRequestLine(line)
            state = .headers
            return nil
        case .headers:
            headerBytes += length
            guard headerBytes <= limits.maxHeaderBytes + 2 else { throw .headersTooLarge }
            if line.isEmpty { return try finishHead() }
            guard fields.count < limits.maxHeaders else { throw .tooManyHeaders }
            try parseHeaderLine(line)
            return nil
        case .chunkSize:
            guard length <= RequestParser.maxChunkLine + 2 else { throw RequestParser.chunkLineTooLong }
            try parseChunkSize(line)
            return nil
        case .trailers:
            // Trailer fields are read within the header limits and dropped: nothing here uses them.
            headerBytes += length
            guard headerBytes <= limits.maxHeaderBytes + 2 else { throw .headersTooLarge }
            if line.isEmpty {
                state = .done
                return nil
            }
            guard line[0] != 0x20 && line[0] != 0x09 else { throw .bad("Folded header lines are not allowed.") }
            for byte in line where !RequestParser.isFieldByte(byte) { throw .bad("A trailer field holds an invalid byte.") }
            return nil
        default:
            preconditionFailure("line in state \(state)")
        }
    }

    // MARK: Request line (RFC 9112 §3)

    private mutating func parseRequestLine(_ line: UnsafeRawBufferPointer) throws(HTTPParseError) {
        var i = 0
        while i < line.count && RequestParser.isTokenByte(line[i]) { i += 1 }
        guard i > 0, i < line.count, line[i] == 0x20 else { throw .bad("The request line is malformed.") }
        let methodEnd = i
        i += 1
        let targetStart = i
        while i < line.count && line[i] > 0x20 && line[i] < 0x7F { i += 1 }
        guard i > targetStart, i < line.count, line[i] == 0x20 else { throw .bad("The request line is malformed.") }
        let targetEnd = i
        i += 1
        version = try parseVersion(UnsafeRawBufferPointer(rebasing: line[i...]))
        method = String(decoding: UnsafeRawBufferPointer(rebasing: line[..<methodEnd]), as: UTF8.self)
        target = try originForm(UnsafeRawBufferPointer(rebasing: line[targetStart..<targetEnd]))
    }

    private func parseVersion(_ text: UnsafeRawBufferPointer) throws(HTTPParseError) -> HTTPVersion {
        let prefix: [UInt8] = [0x48, 0x54, 0x54, 0x50, 0x2F]  // "HTTP/"
        guard text.count == 8, text.prefix(5).elementsEqual(prefix), text[6] == 0x2E,
              RequestParser.isDigit(text[5]), RequestParser.isDigit(text[7])
        else { throw .bad("The HTTP version is malformed.") }
        let v = HTTPVersion(Int(text[5] - 0x30), Int(text[7] - 0x30))
        guard v == .http1_1 || v == .http1_0 else { throw .versionNotSupported }
        return v
    }

    /// The target as a path (RFC 9112 §3.2): origin form as sent, `*` for OPTIONS, and absolute form
    /// reduced to its path and query.
    private func originForm(_ raw: UnsafeRawBufferPointer) throws(HTTPParseError) -> String {
        if raw[0] == 0x2F { return String(decoding: raw, as: UTF8.self) }
        if raw.count == 1 && raw[0] == 0x2A {
            guard method == "OPTIONS" else { throw .bad("The request target is malformed.") }
            return "*"
        }
        let text = String(decoding: raw, as: UTF8.self)
        for scheme in ["http://", "https://"] where text.utf8.count > scheme.utf8.count {
            guard RequestParser.hasPrefixIgnoringCase(text, scheme) else { continue }
            let rest = text.utf8.dropFirst(scheme.utf8.count)
            guard let slash = rest.firstIndex(where: { $0 == 0x2F || $0 == 0x3F }) else { return "/" }
            let path = String(decoding: text.utf8[slash...], as: UTF8.self)
            return path.hasPrefix("?") ? "/" + path : path
        }
        throw .bad("The request target is malformed.")
    }

    // MARK: Header fields (RFC 9112 §5, RFC 9110 §5.5)

    private mutating func parseHeaderLine(_ line: UnsafeRawBufferPointer) throws(HTTPParseError) {
        // RFC 9112 §5.2: obs-fold in a request is rejected.
        guard line[0] != 0x20 && line[0] != 0x09 else { throw .bad("Folded header lines are not allowed.") }
        var colon = 0
        while colon < line.count && RequestParser.isTokenByte(line[colon]) { colon += 1 }
        // RFC 9112 §5.1: no whitespace between the field name and the colon.
        guard colon > 0, colon < line.count, line[colon] == 0x3A else { throw .bad("A header line is malformed.") }
        var start = colon + 1
        var end = line.count
        while start < end && (line[start] == 0x20 || line[start] == 0x09) { start += 1 }
        while end > start && (line[end - 1] == 0x20 || line[end - 1] == 0x09) { end -= 1 }
        for i in start..<end where !RequestParser.isFieldByte(line[i]) {
            throw .bad("A header value holds an invalid byte.")
        }
        let name = UnsafeRawBufferPointer(rebasing: line[..<colon])
        let value = UnsafeRawBufferPointer(rebasing: line[start..<end])
        try note(name, value)
        fields.append((String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self)))
    }

    private mutating func note(_ name: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws(HTTPParseError) {
        switch name.count {
        case 4 where RequestParser.equalsLower(name, "host"):
            scan.hosts += 1
        case 14 where RequestParser.equalsLower(name, "content-length"):
            // RFC 9110 §8.6: a list of identical values may be taken as one; anything else is invalid.
            for part in value.split(separator: 0x2C, omittingEmptySubsequences: false) {
                let digits = part.drop { $0 == 0x20 || $0 == 0x09 }.reversed().drop { $0 == 0x20 || $0 == 0x09 }.reversed()
                guard !digits.isEmpty, digits.count <= 18, digits.allSatisfy(RequestParser.isDigit) else {
                    scan.contentLengthInvalid = true
                    return
                }
                let n = digits.reduce(0) { $0 * 10 + Int($1 - 0x30) }
                if let seen = scan.contentLength, seen != n { scan.contentLengthInvalid = true }
                scan.contentLength = n
            }
        case 17 where RequestParser.equalsLower(name, "transfer-encoding"):
            if scan.transferEncoding == nil { scan.transferEncoding = [] } else { scan.transferEncoding!.append(0x2C) }
            scan.transferEncoding!.append(contentsOf: value)
        case 10 where RequestParser.equalsLower(name, "connection"):
            for token in value.split(separator: 0x2C) {
                let t = token.drop { $0 == 0x20 || $0 == 0x09 }.reversed().drop { $0 == 0x20 || $0 == 0x09 }.reversed()
                let word = String(decoding: t, as: UTF8.self).lowercased()
                if word == "close" { scan.close = true }
                if word == "keep-alive" { scan.keepAlive = true }
                if word == "upgrade" { scan.upgradeToken = true }
            }
        case 7 where RequestParser.equalsLower(name, "upgrade"):
            scan.upgradeHeader = true
        case 6 where RequestParser.equalsLower(name, "expect"):
            if RequestParser.equalsLower(value, "100-continue") { scan.expectContinue = true }
        default:
            break
        }
    }

    private mutating func finishHead() throws(HTTPParseError) -> RequestHead {
        // RFC 9112 §3.2: exactly one Host in HTTP/1.1.
        if version == .http1_1 && scan.hosts != 1 { throw .bad("An HTTP/1.1 request needs exactly one Host header.") }
        if scan.hosts > 1 { throw .bad("The request has more than one Host header.") }
        if let te = scan.transferEncoding {
            // RFC 9112 §6.1: Transfer-Encoding with Content-Length is a smuggling attempt or an error;
            // in HTTP/1.0 it cannot be trusted; only `chunked` alone is supported here.
            guard scan.contentLength == nil, !scan.contentLengthInvalid else {
                throw .bad("Content-Length and Transfer-Encoding cannot both be sent.")
            }
            guard version == .http1_1 else { throw .bad("Transfer-Encoding needs HTTP/1.1.") }
            let trimmed = te.drop { $0 == 0x20 || $0 == 0x09 }.reversed().drop { $0 == 0x20 || $0 == 0x09 }.reversed()
            guard RequestParser.equalsLower(Array(trimmed), "chunked") else {
                throw .bad("Only the chunked transfer coding is supported.")
            }
            framing = .chunked
        } else if scan.contentLengthInvalid {
            throw .bad("The Content-Length header is invalid.")
        } else if let n = scan.contentLength {
            framing = .length(n)
        } else {
            framing = .none
        }
        let keepAlive = version == .http1_1 ? !scan.close : (scan.keepAlive && !scan.close)
        let head = RequestHead(
            method: method, target: target, version: version, headers: Headers(fields), framing: framing,
            keepAlive: keepAlive, expectContinue: scan.expectContinue && version == .http1_1 && framing != .none,
            upgradeRequested: scan.upgradeToken && scan.upgradeHeader)
        fields = []
        state = .awaitingBodyLimit
        return head
    }

    // MARK: Chunked bodies (RFC 9112 §7.1)

    private mutating func parseChunkSize(_ line: UnsafeRawBufferPointer) throws(HTTPParseError) {
        var size = 0
        var digits = 0
        var i = 0
        while i < line.count, let v = RequestParser.hexValue(line[i]) {
            digits += 1
            guard digits <= 15 else { throw .bad("A chunk size is too large.") }
            size = size << 4 | Int(v)
            i += 1
        }
        guard digits > 0 else { throw .bad("A chunk size is malformed.") }
        while i < line.count && (line[i] == 0x20 || line[i] == 0x09) { i += 1 }
        if i < line.count {
            // Chunk extensions are allowed and ignored, but must be printable.
            guard line[i] == 0x3B else { throw .bad("A chunk size is malformed.") }
            for j in i..<line.count where !RequestParser.isFieldByte(line[j]) { throw .bad("A chunk extension is malformed.") }
        }
        guard size <= bodyLimit - body.count else { throw .bodyTooLarge }
        if size == 0 {
            state = .trailers
            headerBytes = 0
        } else {
            body.reserveCapacity(body.count + size)
            state = .chunkData(remaining: size)
        }
    }
}
