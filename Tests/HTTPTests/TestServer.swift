import Foundation
import Runtime
import Synchronization
import TestSupport
@testable import HTTP

/// A server on a free port for one test, with logs captured in memory.
final class TestServer: Sendable {
    let server: Server
    let sink: LogSink
    var port: UInt16 { server.port }

    init(_ router: Router, tcp: Bool = true, unixSocket: String? = nil, loops: Int = 2, workers: Int = 4, maxQueued: Int = 64,
         limits: ServerLimits = ServerLimits(), grace: Double = 5) throws {
        sink = LogSink.memory()
        let config = ServerConfig(listen: tcp ? HostPort(host: "127.0.0.1", port: 0) : nil, unixSocket: unixSocket, loops: loops,
                                  workers: workers, maxQueued: maxQueued, limits: limits, shutdownGrace: grace)
        server = try Server(router: router, config: config, log: Log(service: "test", level: .debug, sink: sink))
        try server.start()
    }

    func stop() {
        server.shutdown()
        server.wait()
    }

    var logs: [String] { sink.captured }
}

/// A one-shot gate a blocking handler can wait on.
final class Gate: Sendable {
    private let semaphore = DispatchSemaphore(value: 0)
    private let entered = DispatchSemaphore(value: 0)
    func pass() {
        entered.signal()
        semaphore.wait()
    }
    /// Waits until a handler is inside `pass()`.
    func waitEntered(timeout: Double = 5) -> Bool { entered.wait(timeout: .now() + timeout) == .success }
    func open(_ count: Int = 1) { for _ in 0..<count { semaphore.signal() } }
}

/// Holds the responders of deferred requests until a test answers them from its own thread.
final class Parked: Sendable {
    private let responders = Mutex<[Responder]>([])
    private let arrived = DispatchSemaphore(value: 0)
    func park(_ responder: Responder) {
        responders.withLock { $0.append(responder) }
        arrived.signal()
    }
    /// Waits for the next parked request and takes its responder.
    func next(timeout: Double = 5) -> Responder? {
        guard arrived.wait(timeout: .now() + timeout) == .success else { return nil }
        return responders.withLock { $0.removeFirst() }
    }
}

/// Echoes every byte back; closes when it sees `q`. Records what it saw.
final class EchoUpgrade: UpgradedConnection {
    var context: (any ConnectionContext)?
    let onStart: @Sendable (any ConnectionContext) -> Void
    init(onStart: @escaping @Sendable (any ConnectionContext) -> Void = { _ in }) { self.onStart = onStart }

    func start(context: any ConnectionContext, leftover: [UInt8]) {
        self.context = context
        onStart(context)
        if !leftover.isEmpty { context.write(SharedBytes(leftover)) }
    }
    func received(_ bytes: UnsafeRawBufferPointer) {
        context?.write(SharedBytes(Array(bytes)))
        if bytes.contains(UInt8(ascii: "q")) { context?.close() }
    }
    func closed() { context = nil }
    func serverStopping() {
        context?.write(SharedBytes(Array("bye".utf8)))
        context?.close()
    }
}

func testRouter(gate: Gate = Gate(), parked: Parked = Parked()) -> Router {
    var r = Router(defaultMaxBody: 1024)
    r.add("GET", "/later", deferred: { _, responder in parked.park(responder) })
    r.add("GET", "/later/{n}", deferred: { req, responder in
        let n = try req.id("n")  // a bad n throws: answered at once
        DispatchQueue.global().async { responder(.text("later \(n)")) }
    })
    r.get("/hello", execution: .inline) { _ in .text("hello") }
    r.get("/blocking") { _ in .text("from pool") }
    r.get("/gate") { _ in
        gate.pass()
        return .text("gated")
    }
    r.get("/slow") { _ in
        usleep(300_000)
        return .text("slow done")
    }
    r.post("/echo", maxBody: 64 * 1024) { req in Response(status: .ok, headers: Headers([("Content-Type", "application/octet-stream")]), body: req.body) }
    r.get("/rooms/{id}", execution: .inline) { req in try .json(["id": req.id("id")]) }
    r.get("/query", execution: .inline) { req in .text(req.query["q"] ?? "") }
    r.get("/teapot", execution: .inline) { _ in throw HTTPError(.conflict, "taken", "Already taken.") }
    r.get("/crash") { _ in throw CocoaError(.fileNoSuchFile) }
    r.get("/reqid", execution: .inline) { req in .text(req.requestID) }
    r.get("/upgrade", execution: .inline) { _ in
        Response(status: .switchingProtocols, headers: Headers([("Upgrade", "echo"), ("Connection", "Upgrade")]),
                 upgrade: { EchoUpgrade() })
    }
    r.get("/badheader", execution: .inline) { _ in
        Response(status: .ok, headers: Headers([("X-Evil", "a\r\nSet-Cookie: x=1")]), body: Array("ok".utf8))
    }
    return r
}
