import Foundation
import Synchronization
import Testing
import TestSupport
@testable import HTTP

@Suite(.timeLimit(.minutes(1)))
struct ServerTests {
    @Test func answersWithDateLengthAndRequestID() throws {
        let s = try TestServer(testRouter())
        defer { s.stop() }
        let r = try TestHTTP.get(s.port, "/hello")
        #expect(r.status == 200)
        #expect(r.text == "hello")
        #expect(r.headers["Content-Length"] == "5")
        #expect(r.headers["Date"]?.hasSuffix("GMT") == true)
        #expect((r.headers["X-Request-Id"]?.count ?? 0) > 8)
    }

    @Test func servesItsUnixSocketAsWellAsTCP() throws {
        let dir = TempDir()
        let path = dir.file("http.sock")
        let s = try TestServer(testRouter(), unixSocket: path, loops: 2)
        // Each connection lands on whichever loop accepts it first; keep-alive and pool routes work on both.
        let connections = try (0..<8).map { _ in try TestConnection(unixPath: path) }
        for (i, c) in connections.enumerated() {
            for route in ["/hello", "/blocking"] {
                try c.send(try TestHTTP.encode("GET", route))
                let r = try c.readResponse()
                #expect(r.status == 200, "connection \(i) \(route)")
            }
        }
        #expect(try TestHTTP.get(s.port, "/hello").text == "hello")
        s.stop()
        #expect(throws: SystemError.self) { try Socket.connect(unixPath: path, timeout: 1).close() }
        #expect(!FileManager.default.fileExists(atPath: path), "the socket file goes with the server")
    }

    @Test func leavesASocketFileThatANewerServerPutInPlace() throws {
        let dir = TempDir()
        let path = dir.file("http.sock")
        let old = try TestServer(testRouter(), tcp: false, unixSocket: path, loops: 1)
        unlink(path)  // as if a newer server had replaced it
        let newer = try TestServer(testRouter(), tcp: false, unixSocket: path, loops: 1)
        defer { newer.stop() }
        old.stop()
        let c = try TestConnection(unixPath: path)
        try c.send(try TestHTTP.encode("GET", "/hello"))
        #expect(try c.readResponse().status == 200)
    }

    @Test func keepsASaneClientRequestIDAndReplacesAnInsaneOne() throws {
        let s = try TestServer(testRouter())
        defer { s.stop() }
        let kept = try TestHTTP.get(s.port, "/reqid", headers: [("X-Request-Id", "abc-123")])
        #expect(kept.text == "abc-123")
        #expect(kept.headers["X-Request-Id"] == "abc-123")
        let replaced = try TestHTTP.get(s.port, "/reqid", headers: [("X-Request-Id", "bad id<script>")])
        #expect(replaced.text != "bad id<script>")
        #expect(replaced.headers["X-Request-Id"] == replaced.text)
    }

    @Test func routesParametersQueriesAndErrors() throws {
        let s = try TestServer(testRouter())
        defer { s.stop() }
        #expect(try TestHTTP.get(s.port, "/rooms/42").object["id"] as? Int == 42)
        #expect(try TestHTTP.get(s.port, "/rooms/abc").status == 404)
        #expect(try TestHTTP.get(s.port, "/query?q=a%20b+c").text == "a b c")
        let missing = try TestHTTP.get(s.port, "/nope")
        #expect(missing.status == 404)
        #expect(missing.errorCode == "not_found")
        let wrong = try TestHTTP.request(s.port, "DELETE", "/hello")
        #expect(wrong.status == 405)
        #expect(wrong.headers["Allow"] == "GET, HEAD")
        let thrown = try TestHTTP.get(s.port, "/teapot")
        #expect(thrown.status == 409)
        #expect(thrown.errorCode == "taken")
        let crash = try TestHTTP.get(s.port, "/crash")
        #expect(crash.status == 500)
        #expect(crash.errorCode == "internal_error")
        #expect(s.logs.contains { $0.contains("handler failed") && $0.contains("level=error") })
    }

    @Test func headHasLengthButNoBody() throws {
        let s = try TestServer(testRouter())
        defer { s.stop() }
        let c = try TestConnection(port: s.port)
        try c.send("HEAD /hello HTTP/1.1\r\nHost: x\r\n\r\nGET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        let head = try c.readResponse(head: true)
        #expect(head.status == 200)
        #expect(head.headers["Content-Length"] == "5")
        #expect(head.body.isEmpty)
        #expect(try c.readResponse().text == "hello")  // nothing stray between the two
    }

    @Test func keepAliveServesManyRequestsOnOneConnection() throws {
        let s = try TestServer(testRouter())
        defer { s.stop() }
        let c = try TestConnection(port: s.port)
        for i in 0..<20 {
            try c.send(TestHTTP.encode("GET", i % 2 == 0 ? "/hello" : "/blocking"))
            let r = try c.readResponse()
            #expect(r.status == 200)
            #expect(r.headers["Connection"] == nil)
        }
        try c.send("GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        #expect(try c.readResponse().headers["Connection"] == "close")
        #expect(c.isClosedByPeer())
    }

    @Test func http10ClosesUnlessKeepAliveIsAsked() throws {
        let s = try TestServer(testRouter())
        defer { s.stop() }
        let closed = try TestConnection(port: s.port)
        try closed.send("GET /hello HTTP/1.0\r\n\r\n")
        #expect(try closed.readResponse().text == "hello")
        #expect(closed.isClosedByPeer())
        let kept = try TestConnection(port: s.port)
        try kept.send("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        #expect(try kept.readResponse().headers["Connection"] == "keep-alive")
        try kept.send("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        #expect(try kept.readResponse().status == 200)
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() throws {
        let s = try TestServer(testRouter())
        defer { s.stop() }
        let c = try TestConnection(port: s.port)
        var batch: [UInt8] = []
        let paths = ["/slow", "/hello", "/blocking", "/query?q=4", "/rooms/5", "/slow", "/query?q=7"]
        for p in paths { batch += try TestHTTP.encode("GET", p) }
        batch += try TestHTTP.encode("POST", "/echo", body: Array("body!".utf8))
        try c.send(batch)
        var texts: [String] = []
        for _ in 0...paths.count { texts.append(try c.readResponse().text) }
        #expect(texts == ["slow done", "hello", "from pool", "4", "{\"id\":5}", "slow done", "7", "body!"])
    }

    @Test func bodiesWithContentLengthAndChunked() throws {
        let s = try TestServer(testRouter())
        defer { s.stop() }
        let payload = (0..<40_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let r = try TestHTTP.request(s.port, "POST", "/echo", body: payload)
        #expect(r.body == payload)
        let c = try TestConnection(port: s.port)
        try c.send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n")
        usleep(50_000)
        try c.send("6;x=y\r\n world\r\n0\r\n\r\n")
        #expect(try c.readResponse().text == "hello world")
    }

    @Test func expectContinueGetsAnInterimAnswerThenTheResponse() throws {
        let s = try TestServer(testRouter())
        defer { s.stop() }
        let c = try TestConnection(port: s.port)
        try c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n")
        var buf = [UInt8](repeating: 0, count: 64)
        let n = read(c.fd, &buf, 64)
        #expect(String(decoding: buf[..<max(0, n)], as: UTF8.self) == "HTTP/1.1 100 Continue\r\n\r\n")
        try c.send("abc")
        #expect(try c.readResponse().text == "abc")
        // Too large: 413 at once, and no 100.
        let big = try TestConnection(port: s.port)
        try big.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 999999\r\nExpect: 100-continue\r\n\r\n")
        let r = try big.readResponse()
        #expect(r.status == 413)
        #expect(r.errorCode == "too_large")
    }

    @Test(arguments: [
        ("GET /" + String(repeating: "a", count: 9000) + " HTTP/1.1\r\nHost: x\r\n\r\n", 414, "uri_too_long"),
        ("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + String(repeating: "b", count: 17_000) + "\r\n\r\n", 431, "headers_too_large"),
        ("GET / HTTP/1.1\r\nHost: x\r\n" + (0..<120).map { "X-\($0): v\r\n" }.joined() + "\r\n", 431, "headers_too_large"),
        ("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 70000\r\n\r\n", 413, "too_large"),
        ("POST /hello HTTP/1.1\r\nHost: x\r\nContent-Length: 2000\r\n\r\n", 413, "too_large"),
        ("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", 400, "bad_request"),
        ("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nxyz\r\n", 400, "bad_request"),
        ("GET / HTTP/3.0\r\nHost: x\r\n\r\n", 505, "version_not_supported"),
        ("\u{16}\u{03}\u{01}\u{02}\u{00}\u{01}\u{00}\u{01}\u{fc}\u{03}\u{03}\r\n\r\n", 400, "bad_request"),
        ("GET / HTTP/1.1\r\nHost: x\r\nX: a\u{0}\r\n\r\n", 400, "bad_request"),
    ] as [(String, Int, String)])
    func limitsAndMalformedRequestsGetACleanErrorAndClose(raw: String, status: Int, code: String) throws {
        let s = try TestServer(testRouter())
        defer { s.stop() }
        let c = try TestConnection(port: s.port)
        try c.send(raw)
        let r = try c.readResponse()
        #expect(r.status == status)
        #expect(r.errorCode == code)
        #expect(r.headers["Connection"] == "close")
        #expect(r.headers["Content-Type"] == "application/json")
        #expect(c.isClosedByPeer())
    }

    @Test func unsafeHandlerHeadersAreDropped() throws {
        let s = try TestServer(testRouter())
        defer { s.stop() }
        let r = try TestHTTP.get(s.port, "/badheader")
        #expect(r.status == 200)
        #expect(r.headers["X-Evil"] == nil)
        #expect(r.headers["Set-Cookie"] == nil)
    }

    @Test func slowClientGets408AndIsClosed() throws {
        let s = try TestServer(testRouter(), limits: ServerLimits(headerTimeout: 0.4, bodyTimeout: 0.4))
        defer { s.stop() }
        let c = try TestConnection(port: s.port)
        try c.send("GET /hello HTTP/1.1\r\nHost: x\r\n")
        let r = try c.readResponse()
        #expect(r.status == 408)
        #expect(r.errorCode == "timeout")
        #expect(c.isClosedByPeer())
        let body = try TestConnection(port: s.port)
        try body.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
        #expect(try body.readResponse().status == 408)
    }

    @Test func idleKeepAliveConnectionsAreClosed() throws {
        let s = try TestServer(testRouter(), limits: ServerLimits(idleTimeout: 0.3))
        defer { s.stop() }
        let c = try TestConnection(port: s.port)
        try c.send(TestHTTP.encode("GET", "/hello"))
        #expect(try c.readResponse().status == 200)
        let start = Date()
        #expect(c.isClosedByPeer())
        #expect(Date().timeIntervalSince(start) < 5)
        let silent = try TestConnection(port: s.port)  // never sends a byte
        #expect(silent.isClosedByPeer())
    }

    @Test func aBlockingRouteDoesNotStallAnInlineRoute() throws {
        let gate = Gate()
        let s = try TestServer(testRouter(gate: gate), loops: 1, workers: 1)
        defer { s.stop() }
        let blocked = try TestConnection(port: s.port)
        try blocked.send(TestHTTP.encode("GET", "/gate"))
        #expect(gate.waitEntered())
        for _ in 0..<5 { #expect(try TestHTTP.get(s.port, "/hello").text == "hello") }
        gate.open()
        #expect(try blocked.readResponse().text == "gated")
    }

    @Test func aDeferredRouteAnswersLaterWithoutAWorkerAndWithoutStallingTheLoop() throws {
        let gate = Gate()
        let parked = Parked()
        let s = try TestServer(testRouter(gate: gate, parked: parked), loops: 1, workers: 1)
        defer { s.stop() }
        let blocked = try TestConnection(port: s.port)
        try blocked.send(TestHTTP.encode("GET", "/gate"))  // the only worker is taken
        #expect(gate.waitEntered())
        let waiting = try TestConnection(port: s.port)
        try waiting.send(TestHTTP.encode("GET", "/later"))
        let responder = try #require(parked.next())
        #expect(try TestHTTP.get(s.port, "/hello").text == "hello")
        #expect(try TestHTTP.get(s.port, "/later/7").text == "later 7")
        responder.answer { throw HTTPError(.conflict, "taken", "Already taken.") }
        let answer = try waiting.readResponse()
        #expect(answer.status == 409)
        #expect(answer.errorCode == "taken")
        try waiting.send(TestHTTP.encode("GET", "/hello"))  // the connection goes on
        #expect(try waiting.readResponse().text == "hello")
        gate.open()
        #expect(try blocked.readResponse().text == "gated")
    }

    @Test func aDeferredHandlerThatThrowsAnswersAtOnceAndPipeliningKeepsOrder() throws {
        let s = try TestServer(testRouter())
        defer { s.stop() }
        let c = try TestConnection(port: s.port)
        var batch: [UInt8] = []
        let paths = ["/later/1", "/hello", "/later/x", "/later/2", "/blocking", "/later/3"]
        for p in paths { batch += try TestHTTP.encode("GET", p) }
        try c.send(batch)
        var answers: [(Int, String)] = []
        for _ in paths { let r = try c.readResponse(); answers.append((r.status, r.status == 200 ? r.text : r.errorCode ?? "")) }
        #expect(answers.map(\.0) == [200, 200, 404, 200, 200, 200])
        #expect(answers.map(\.1) == ["later 1", "hello", "not_found", "later 2", "from pool", "later 3"])
    }

    @Test func anAnswerForAClosedConnectionIsDropped() throws {
        let parked = Parked()
        let s = try TestServer(testRouter(parked: parked), loops: 1)
        defer { s.stop() }
        do {
            let c = try TestConnection(port: s.port)
            try c.send(TestHTTP.encode("GET", "/later"))
        }  // closed before the answer
        let responder = try #require(parked.next())
        usleep(50_000)
        responder(.text("too late"))
        #expect(try TestHTTP.get(s.port, "/hello").text == "hello")
    }

    @Test func aFullWorkerQueueAnswers503() throws {
        let gate = Gate()
        let s = try TestServer(testRouter(gate: gate), loops: 1, workers: 1, maxQueued: 1)
        defer { s.stop() }
        let first = try TestConnection(port: s.port)
        try first.send(TestHTTP.encode("GET", "/gate"))
        #expect(gate.waitEntered())
        let second = try TestConnection(port: s.port)
        try second.send(TestHTTP.encode("GET", "/blocking"))
        for _ in 0..<500 where s.server.pool.queued < 1 { usleep(5_000) }  // second is waiting for the worker
        let third = try TestHTTP.get(s.port, "/blocking")
        #expect(third.status == 503)
        #expect(third.errorCode == "unavailable")
        gate.open()
        #expect(try first.readResponse().status == 200)
        #expect(try second.readResponse().status == 200)
    }

    @Test func everyRequestIsLoggedOnceWithoutTheQuery() throws {
        let s = try TestServer(testRouter())
        let r = try TestHTTP.get(s.port, "/query?q=secret-token")
        s.stop()
        let id = r.headers["X-Request-Id"]!
        let lines = s.logs.filter { $0.contains("msg=request") }
        #expect(lines.count == 1)
        let line = lines.first ?? ""
        #expect(line.contains("level=info"))
        #expect(line.contains("http.method=GET"))
        #expect(line.contains("http.path=/query "))
        #expect(line.contains("http.status=200"))
        #expect(line.contains("http.bytes=12"))
        #expect(line.contains("duration_ms="))
        #expect(line.contains("request.id=\(id)"))
        #expect(!s.logs.joined().contains("secret-token"))
    }

    @Test func gracefulShutdownFinishesAnInFlightRequest() throws {
        let gate = Gate()
        let s = try TestServer(testRouter(gate: gate), grace: 10)
        let busy = try TestConnection(port: s.port)
        try busy.send(TestHTTP.encode("GET", "/gate"))
        #expect(gate.waitEntered())
        let idle = try TestConnection(port: s.port)
        try idle.send(TestHTTP.encode("GET", "/hello"))
        #expect(try idle.readResponse().status == 200)
        let port = s.port
        let stopped = Atomic<Bool>(false)
        let waiter = Thread {
            s.stop()
            stopped.store(true, ordering: .releasing)
        }
        waiter.start()
        #expect(idle.isClosedByPeer())  // idle keep-alive connection closed at once
        #expect(throws: (any Error).self) { try TestHTTP.get(port, "/hello") }  // no longer accepting
        let early = stopped.load(ordering: .acquiring)
        #expect(!early)
        gate.open()
        let r = try busy.readResponse()
        #expect(r.text == "gated")
        #expect(r.headers["Connection"] == "close")
        for _ in 0..<500 where !stopped.load(ordering: .acquiring) { usleep(10_000) }
        let done = stopped.load(ordering: .acquiring)
        #expect(done)
    }

    @Test func gracePeriodEndsStuckRequests() throws {
        let gate = Gate()
        let s = try TestServer(testRouter(gate: gate), grace: 0.3)
        let busy = try TestConnection(port: s.port)
        try busy.send(TestHTTP.encode("GET", "/gate"))
        #expect(gate.waitEntered())
        let start = Date()
        s.server.shutdown()
        #expect(busy.isClosedByPeer())
        gate.open()
        s.server.wait()
        #expect(Date().timeIntervalSince(start) < 5)
    }
}
