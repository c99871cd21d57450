import Foundation
import Synchronization
import Testing
import TestSupport
@testable import HTTP
@testable import IO

/// The test's end of a socketpair whose other end the server serves.
final class PairEnd: @unchecked Sendable {
    // Safety of @unchecked Sendable: used by one test at a time.
    let fd: Int32
    init(server: Server) throws {
        let (ours, theirs) = try Socket.pair()
        let flags = fcntl(ours, F_GETFL)
        _ = fcntl(ours, F_SETFL, flags & ~O_NONBLOCK)
        try Socket.setTimeout(ours, seconds: 5)
        fd = ours
        server.adopt(FileDescriptor(theirs))
    }
    deinit { close(fd) }

    func send(_ text: String) { _ = text.withCString { Glibc.send(fd, $0, strlen($0), Int32(MSG_NOSIGNAL)) } }

    /// Reads until `marker` has arrived `times` times, or the peer closes.
    func read(until marker: String, times: Int = 1) -> String {
        var got: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while String(decoding: got, as: UTF8.self).components(separatedBy: marker).count - 1 < times {
            let n = Glibc.read(fd, &buf, buf.count)
            guard n > 0 else { break }
            got += buf[..<n]
        }
        return String(decoding: got, as: UTF8.self)
    }
}

@Suite(.timeLimit(.minutes(1)))
struct ConnectionTests {
    @Test func servesRequestsOverASocketPair() throws {
        let s = try TestServer(testRouter(), loops: 1)
        defer { s.stop() }
        let peer = try PairEnd(server: s.server)
        peer.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\nGET /rooms/9 HTTP/1.1\r\nHost: x\r\n\r\n")
        let text = peer.read(until: "{\"id\":9}")
        #expect(text.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(text.contains("\r\n\r\nhello"))
        #expect(text.hasSuffix("{\"id\":9}"))
        let before = text.components(separatedBy: "X-Request-Id").count
        #expect(before == 3)
    }

    @Test func requestsSplitAcrossManyWritesStillParse() throws {
        let s = try TestServer(testRouter(), loops: 1)
        defer { s.stop() }
        let peer = try PairEnd(server: s.server)
        let raw = "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\nhello world"
        for c in raw {
            peer.send(String(c))
            usleep(500)
        }
        #expect(peer.read(until: "hello world").hasSuffix("\r\n\r\nhello world"))
    }

    @Test func halfClosedClientStillGetsItsAnswer() throws {
        let s = try TestServer(testRouter(), loops: 1)
        defer { s.stop() }
        let peer = try PairEnd(server: s.server)
        peer.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
        shutdown(peer.fd, Int32(SHUT_WR))
        let text = peer.read(until: "never")  // reads until the server closes
        #expect(text.hasSuffix("slow done"))
    }

    @Test func aPeerThatNeverReadsIsDroppedAfterTheWriteTimeout() throws {
        var router = Router()
        let big = [UInt8](repeating: 0x61, count: 16 * 1024 * 1024)
        router.get("/big", execution: .inline) { _ in Response(body: big) }
        let s = try TestServer(router, loops: 1, limits: ServerLimits(writeTimeout: 0.3))
        defer { s.stop() }
        let c = try TestConnection(port: s.port)
        try c.send(TestHTTP.encode("GET", "/big"))
        usleep(1_500_000)  // do not read: the server gives up
        let got = try c.readUntilClose()
        #expect(got.count < big.count)
    }

    @Test func upgradedWritesAreRefusedPastTheOutboundLimit() throws {
        let results = Mutex<[Bool]>([])
        let pending = Atomic<Int>(0)
        var router = Router()
        router.get("/ws", execution: .inline) { _ in
            Response(status: .switchingProtocols, headers: Headers([("Upgrade", "x"), ("Connection", "Upgrade")]),
                     upgrade: {
                         EchoUpgrade(onStart: { ctx in
                             let frame = SharedBytes([UInt8](repeating: 0x7A, count: 256 * 1024))
                             var accepted: [Bool] = []
                             for _ in 0..<64 { accepted.append(ctx.write(frame)) }
                             pending.store(ctx.pendingBytes, ordering: .relaxed)
                             results.withLock { $0 = accepted }
                         })
                     })
        }
        let limit = 2 * 1024 * 1024
        let s = try TestServer(router, loops: 1, limits: ServerLimits(maxOutbound: limit))
        defer { s.stop() }
        let c = try TestConnection(port: s.port)
        try c.send("GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: x\r\n\r\n")
        for _ in 0..<500 where results.withLock({ $0.isEmpty }) { usleep(10_000) }
        let accepted = results.withLock { $0 }
        #expect(accepted.first == true)
        #expect(accepted.contains(false))
        #expect(pending.load(ordering: .relaxed) <= limit)
    }
}
