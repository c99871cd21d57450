import Testing
@testable import HTTP

/// One request as the parser delivered it.
struct Parsed: Equatable {
    var method: String
    var target: String
    var version: HTTPVersion
    var headers: [String]
    var keepAlive: Bool
    var expectContinue: Bool
    var body: [UInt8]
}

/// Drives a parser the way a connection does: append what arrived, parse until it needs more,
/// keep what it did not consume.
func drive(_ pieces: [[UInt8]], bodyLimit: Int = 1 << 20, limits: ServerLimits = ServerLimits()) throws -> [Parsed] {
    var parser = RequestParser(limits: limits)
    var buffer: [UInt8] = []
    var out: [Parsed] = []
    var head: RequestHead?
    for piece in pieces {
        buffer += piece
        while true {
            let (event, consumed) = try buffer.withUnsafeBytes { try parser.parse($0) }
            buffer.removeFirst(consumed)
            switch event {
            case .needMore:
                break
            case .head(let h):
                head = h
                try parser.acceptBody(limit: bodyLimit)
                continue
            case .body(let b):
                let h = head!
                out.append(Parsed(method: h.method, target: h.target, version: h.version,
                                  headers: h.headers.map { "\($0.name): \($0.value)" },
                                  keepAlive: h.keepAlive, expectContinue: h.expectContinue, body: b))
                continue
            }
            break
        }
    }
    #expect(buffer.isEmpty || !parser.isIdle || out.isEmpty == false)
    return out
}

func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

/// The status a malformed input is rejected with, or nil if it was accepted.
func rejection(_ raw: [UInt8], bodyLimit: Int = 1 << 20, limits: ServerLimits = ServerLimits()) -> Int? {
    do {
        _ = try drive([raw], bodyLimit: bodyLimit, limits: limits)
        return nil
    } catch let error as HTTPParseError {
        return error.status.code
    } catch {
        return -1
    }
}

let pipelined = bytes(
    "GET /a?x=1 HTTP/1.1\r\nHost: h\r\nAccept: */*\r\n\r\n"
        + "POST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello"
        + "PUT /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\nWiki\r\n5\r\npedia\r\n0\r\nX-Trailer: t\r\n\r\n"
        + "GET /d HTTP/1.0\r\n\r\n")

@Suite struct RequestParserTests {
    @Test func parsesASimpleGet() throws {
        let r = try drive([bytes("GET /api/rooms?limit=5 HTTP/1.1\r\nHost: example\r\nX-A:  padded value \t\r\n\r\n")])
        #expect(r.count == 1)
        #expect(r[0].method == "GET")
        #expect(r[0].target == "/api/rooms?limit=5")
        #expect(r[0].headers == ["Host: example", "X-A: padded value"])
        #expect(r[0].keepAlive)
        #expect(r[0].body.isEmpty)
    }

    @Test func parsesPipelinedRequestsWithEveryFraming() throws {
        let r = try drive([pipelined])
        #expect(r.map(\.target) == ["/a?x=1", "/b", "/c", "/d"])
        #expect(r[1].body == bytes("hello"))
        #expect(r[2].body == bytes("Wikipedia"))
        #expect(r[3].version == .http1_0)
        #expect(!r[3].keepAlive)
    }

    @Test func sameResultWhenSplitAtEveryOffset() throws {
        let whole = try drive([pipelined])
        for cut in 0...pipelined.count {
            let split = try drive([Array(pipelined[..<cut]), Array(pipelined[cut...])])
            #expect(split == whole, "split at \(cut)")
        }
        let bytewise = try drive(pipelined.map { [$0] })
        #expect(bytewise == whole)
    }

    @Test func keepAliveRules() throws {
        let r = try drive([bytes(
            "GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"
                + "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"
                + "GET / HTTP/1.1\r\nHost: h\r\nConnection: foo, keep-alive\r\n\r\n")])
        #expect(r.map(\.keepAlive) == [false, true, true])
    }

    @Test func expectContinueIsReported() throws {
        let r = try drive([bytes("POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nhi")])
        #expect(r[0].expectContinue)
        #expect(r[0].body == bytes("hi"))
    }

    @Test func upgradeIsReported() throws {
        var parser = RequestParser()
        let raw = bytes("GET /ws HTTP/1.1\r\nHost: h\r\nConnection: keep-alive, Upgrade\r\nUpgrade: websocket\r\n\r\n") + [0x81]
        let (event, consumed) = try raw.withUnsafeBytes { try parser.parse($0) }
        guard case .head(let head) = event else { Issue.record("no head"); return }
        #expect(head.upgradeRequested)
        #expect(consumed == raw.count - 1)
    }

    @Test func toleratesBareLFAndLeadingEmptyLines() throws {
        let r = try drive([bytes("\r\n\nGET /x HTTP/1.1\nHost: h\n\n")])
        #expect(r.map(\.target) == ["/x"])
    }

    @Test func absoluteFormBecomesAPath() throws {
        let r = try drive([bytes("GET http://example.com/p?q=1 HTTP/1.1\r\nHost: example.com\r\n\r\n")])
        #expect(r[0].target == "/p?q=1")
    }

    @Test func identicalContentLengthsAreOneLength() throws {
        let r = try drive([bytes("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3, 3\r\nContent-Length: 3\r\n\r\nabc")])
        #expect(r[0].body == bytes("abc"))
    }

    @Test(arguments: [
        ("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 1e3\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999999999999999\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 400),
        ("GET / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n  folded\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: h\r\nX : a\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: h\r\nX: a\rb\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: h\r\nX: a\u{0}b\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: h\r\nNoColon\r\n\r\n", 400),
        ("GET /\r HTTP/1.1\r\nHost: h\r\n\r\n", 400),
        ("GET  / HTTP/1.1\r\nHost: h\r\n\r\n", 400),
        ("GET / HTTP/1.1 \r\nHost: h\r\n\r\n", 400),
        ("G(T / HTTP/1.1\r\nHost: h\r\n\r\n", 400),
        ("GET noslash HTTP/1.1\r\nHost: h\r\n\r\n", 400),
        ("GET * HTTP/1.1\r\nHost: h\r\n\r\n", 400),
        ("GET / HTTP/2.0\r\nHost: h\r\n\r\n", 505),
        ("GET / HTTP/0.9\r\nHost: h\r\n\r\n", 505),
        ("GET / HTTP/1.1x\r\nHost: h\r\n\r\n", 400),
        ("GET / FTP/1.1\r\nHost: h\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcd\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3 x\r\nabc\r\n", 400),
    ] as [(String, Int)])
    func rejectsMalformedRequests(raw: String, status: Int) {
        #expect(rejection(bytes(raw)) == status, "\(raw.debugDescription)")
    }

    @Test func requestLineLimitGives414BeforeTheLineEnds() {
        let long = bytes("GET /" + String(repeating: "a", count: 9000))
        #expect(rejection(long) == 414)
        #expect(rejection(bytes("GET /" + String(repeating: "a", count: 9000) + " HTTP/1.1\r\nHost: h\r\n\r\n")) == 414)
        #expect(rejection(bytes("GET /" + String(repeating: "a", count: 8000) + " HTTP/1.1\r\nHost: h\r\n\r\n")) == nil)
    }

    @Test func headerBlockLimitGives431() {
        let big = "GET / HTTP/1.1\r\nHost: h\r\nX: " + String(repeating: "v", count: 17000)
        #expect(rejection(bytes(big)) == 431)  // unfinished: rejected before the line ends
        var many = "GET / HTTP/1.1\r\nHost: h\r\n"
        for i in 0..<101 { many += "X-\(i): v\r\n" }
        #expect(rejection(bytes(many + "\r\n")) == 431)
        var ok = "GET / HTTP/1.1\r\nHost: h\r\n"
        for i in 0..<99 { ok += "X-\(i): v\r\n" }
        #expect(rejection(bytes(ok + "\r\n")) == nil)
    }

    @Test func bodyLimitGives413FromContentLengthAndFromChunks() {
        #expect(rejection(bytes("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\n"), bodyLimit: 10) == 413)
        #expect(rejection(bytes("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n0123456789"), bodyLimit: 10) == nil)
        let chunked = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
        #expect(rejection(bytes(chunked + "6\r\nabcdef\r\n5\r\n"), bodyLimit: 10) == 413)
        #expect(rejection(bytes(chunked + "5\r\nabcde\r\n5\r\nabcde\r\n0\r\n\r\n"), bodyLimit: 10) == nil)
    }

    @Test func truncatedInputNeedsMoreAndNeverFails() throws {
        for cut in 0..<pipelined.count {
            let r = try drive([Array(pipelined[..<cut])])
            #expect(r.count <= 4)
        }
    }

    @Test func randomGarbageIsRejectedCleanly() {
        var rng = SplitMix(seed: 42)
        let alphabet = bytes("GET POST / HTTP/1.1\r\n:Host Content-Length Transfer-Encoding chunked 0123456789abcdef;\t \u{0}\u{7f}\u{ff}")
        for _ in 0..<5000 {
            let n = Int(rng.next() % 300)
            let raw = (0..<n).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
            let status = rejection(raw, bodyLimit: 1000)
            #expect(status == nil || [400, 413, 414, 431, 505].contains(status!))
        }
    }
}

/// A tiny deterministic generator for reproducible garbage.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
