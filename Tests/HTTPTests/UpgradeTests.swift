import Foundation
import Synchronization
import Testing
import TestSupport
@testable import HTTP

@Suite(.timeLimit(.minutes(1)))
struct UpgradeTests {
    @Test func upgradedConnectionGetsLeftoverAndLaterBytes() throws {
        let s = try TestServer(testRouter())
        defer { s.stop() }
        let c = try TestConnection(port: s.port)
        try c.send("GET /upgrade HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\nearly")
        var buf = [UInt8](repeating: 0, count: 1024)
        var got: [UInt8] = []
        while !String(decoding: got, as: UTF8.self).hasSuffix("\r\n\r\nearly") {
            let n = read(c.fd, &buf, buf.count)
            guard n > 0 else { break }
            got += buf[..<n]
        }
        let text = String(decoding: got, as: UTF8.self)
        #expect(text.hasPrefix("HTTP/1.1 101 Switching Protocols\r\n"))
        #expect(text.contains("Connection: Upgrade\r\n"))
        #expect(!text.contains("Content-Length"))
        #expect(text.hasSuffix("\r\n\r\nearly"))  // the bytes after the head reached the new protocol
        try c.send("hi q")
        got = []
        while true {
            let n = read(c.fd, &buf, 64)
            guard n > 0 else { break }
            got += buf[..<n]
        }
        #expect(got == Array("hi q".utf8))  // echoed, flushed, then closed
    }

    @Test func shutdownLetsTheUpgradedProtocolSayGoodbye() throws {
        let s = try TestServer(testRouter())
        let c = try TestConnection(port: s.port)
        try c.send("GET /upgrade HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n")
        var buf = [UInt8](repeating: 0, count: 1024)
        var got: [UInt8] = []
        while !String(decoding: got, as: UTF8.self).hasSuffix("\r\n\r\n") {
            let n = read(c.fd, &buf, buf.count)
            guard n > 0 else { break }
            got += buf[..<n]
        }
        s.stop()  // shutdown: the echo protocol writes "bye", then closes
        got = []
        while true {
            let n = read(c.fd, &buf, 64)
            guard n > 0 else { break }
            got += buf[..<n]
        }
        #expect(got == Array("bye".utf8))
    }

    @Test func oneSharedBufferIsQueuedOnManyConnections() throws {
        let contexts = Mutex<[LoopBoundContext]>([])
        var router = Router()
        router.get("/ws", execution: .inline) { _ in
            Response(status: .switchingProtocols, headers: Headers([("Upgrade", "echo"), ("Connection", "Upgrade")]),
                     upgrade: { EchoUpgrade(onStart: { ctx in contexts.withLock { $0.append(LoopBoundContext(ctx)) } }) })
        }
        let s = try TestServer(router)
        defer { s.stop() }
        var clients: [TestConnection] = []
        for _ in 0..<10 {
            let c = try TestConnection(port: s.port)
            try c.send("GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n")
            #expect(try c.readResponse().status == 101)
            clients.append(c)
        }
        let frame = SharedBytes(Array(repeating: UInt8(ascii: "z"), count: 100_000))
        for bound in contexts.withLock({ $0 }) {
            bound.context.executor.execute { #expect(bound.context.write(frame)) }
        }
        for c in clients {
            var total = 0
            var buf = [UInt8](repeating: 0, count: 65536)
            while total < frame.count {
                let n = read(c.fd, &buf, buf.count)
                guard n > 0 else { break }
                #expect(buf[..<n].allSatisfy { $0 == UInt8(ascii: "z") })
                total += n
            }
            #expect(total == frame.count)
        }
    }
}

/// Test-only: a context handed across threads; touched only inside its own executor's closures.
struct LoopBoundContext: @unchecked Sendable {
    let context: any ConnectionContext
    init(_ context: any ConnectionContext) { self.context = context }
}
