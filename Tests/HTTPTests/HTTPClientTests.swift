import Foundation
import Synchronization
import Testing
import TestSupport
@testable import HTTP
import Runtime

@Suite(.timeLimit(.minutes(1)))
struct HTTPClientTests {
    @Test func requestsReuseOneKeepAliveConnection() throws {
        let remotes = Mutex<Set<String>>([])
        var router = testRouter()
        router.get("/peer", execution: .inline) { req in
            remotes.withLock { _ = $0.insert(req.remoteAddress) }
            return .text("ok")
        }
        let s = try TestServer(router)
        defer { s.stop() }
        let client = HTTPClient(.tcp(HostPort(host: "127.0.0.1", port: s.port)))
        for _ in 0..<10 { #expect(try client.request("GET", "/peer").text == "ok") }
        let count = remotes.withLock { $0.count }
        #expect(count == 1)
        let echoed = try client.request("POST", "/echo", headers: [("Content-Type", "application/json")],
                                        body: Array("{\"a\":1}".utf8))
        struct A: Decodable { var a: Int }
        #expect(try echoed.json(A.self).a == 1)
        #expect(try client.request("HEAD", "/hello").body.isEmpty)
        #expect(try client.request("GET", "/nope").status == 404)
    }

    /// A service behind nginx may listen on its Unix socket only; the client reaches it there too.
    @Test func talksToAServerThatListensOnAUnixSocketOnly() throws {
        let dir = TempDir()
        let path = dir.file("only.sock")
        let s = try TestServer(testRouter(), tcp: false, unixSocket: path, loops: 2)
        defer { s.stop() }
        #expect(s.port == 0)
        let client = HTTPClient(.unix(path))
        for _ in 0..<4 { #expect(try client.request("GET", "/hello").text == "hello") }
        let echoed = try client.request("POST", "/echo", body: Array("{}".utf8))
        #expect(echoed.status == 200)
        #expect(throws: SystemError.self) { try HTTPClient(.unix(dir.file("none.sock"))).request("GET", "/hello") }
    }

    @Test func recoversWhenTheServerClosedAnIdleConnection() throws {
        let s = try TestServer(testRouter(), limits: ServerLimits(idleTimeout: 0.2))
        defer { s.stop() }
        let client = HTTPClient(.tcp(HostPort(host: "127.0.0.1", port: s.port)))
        #expect(try client.request("GET", "/hello").text == "hello")
        usleep(600_000)  // the server has closed the kept connection by now
        #expect(try client.request("GET", "/hello").text == "hello")
    }

    @Test func recoversWhenTheServerClosedEveryIdleConnection() throws {
        let gate = Gate()
        let s = try TestServer(testRouter(gate: gate), limits: ServerLimits(idleTimeout: 0.2))
        defer { s.stop() }
        let client = HTTPClient(.tcp(HostPort(host: "127.0.0.1", port: s.port)))
        // Three requests at once leave three idle connections behind.
        let done = DispatchGroup()
        for _ in 0..<3 { DispatchQueue.global().async(group: done) { _ = try? client.request("GET", "/gate") } }
        for _ in 0..<3 { #expect(gate.waitEntered()) }
        gate.open(3)
        done.wait()
        usleep(600_000)  // the server has closed all three by now
        #expect(try client.request("GET", "/hello").text == "hello")
    }

    @Test func timesOutOnASilentServer() throws {
        let gate = Gate()
        let s = try TestServer(testRouter(gate: gate))
        defer {
            gate.open()
            s.stop()
        }
        let client = HTTPClient(.tcp(HostPort(host: "127.0.0.1", port: s.port)), timeout: 0.3)
        let start = Date()
        #expect(throws: (any Error).self) { try client.request("GET", "/gate") }
        #expect(Date().timeIntervalSince(start) < 5)
    }

    @Test func connectionRefusedIsAnError() throws {
        let port = try freePort()
        #expect(throws: (any Error).self) { try HTTPClient(.tcp(HostPort(host: "127.0.0.1", port: port))).request("GET", "/") }
    }
}
