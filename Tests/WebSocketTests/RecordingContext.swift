import HTTP
@testable import WebSocket

/// Runs work at once; the tests are the loop thread.
final class ImmediateExecutor: LoopExecutor {
    func execute(_ work: @escaping @Sendable () -> Void) { work() }
    var inLoop: Bool { true }
    func after(_ seconds: Double, _ work: @escaping () -> Void) { work() }
}

/// A `ConnectionContext` that records what the handler does, for testing connection logic
/// step by step; timers fire only when a test fires them. Like the server, it reports
/// `closed()` to the handler once the connection is closed or aborted.
final class RecordingContext: ConnectionContext {
    final class Timer: TimerHandle {
        let seconds: Double
        let work: () -> Void
        var cancelled = false
        init(seconds: Double, work: @escaping () -> Void) {
            self.seconds = seconds
            self.work = work
        }
        func cancel() { cancelled = true }
    }

    let executor: any LoopExecutor = ImmediateExecutor()
    weak var handler: (any UpgradedConnection)?
    var written: [UInt8] = []
    var pendingBytes = 0
    var acceptWrites = true
    var closedGracefully = false
    var aborted = false
    var timers: [Timer] = []

    func write(_ buffer: SharedBytes) -> Bool {
        guard acceptWrites, !closedGracefully, !aborted else { return false }
        written += buffer.bytes
        return true
    }

    /// Queued bytes count as pending until `flush()`.
    var queued: [UInt8] = []

    func enqueue(_ buffer: SharedBytes, limit: Int) -> Bool {
        guard acceptWrites, !closedGracefully, !aborted, pendingBytes + queued.count + buffer.count <= limit else { return false }
        queued += buffer.bytes
        return true
    }

    func flush() {
        written += queued
        queued = []
    }

    func close() {
        guard !closedGracefully, !aborted else { return }
        closedGracefully = true
        handler?.closed()
    }

    func abort() {
        guard !closedGracefully, !aborted else { return }
        aborted = true
        handler?.closed()
    }

    func schedule(after seconds: Double, _ work: @escaping () -> Void) -> any TimerHandle {
        let timer = Timer(seconds: seconds, work: work)
        timers.append(timer)
        return timer
    }

    /// Fires the live timers scheduled so far, once each.
    func fireTimers() {
        let due = timers.filter { !$0.cancelled }
        timers.removeAll { timer in due.contains { $0 === timer } }
        for timer in due { timer.work() }
    }

    /// The frames the server wrote, parsed as a client would.
    func frames() -> [Frame] {
        (try? parse(written, maxMessage: 1 << 20, requireMask: false).get()) ?? []
    }

    func feed(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { handler?.received($0) }
    }
}

/// A started connection with counters of what its callbacks saw.
final class Harness {
    let context = RecordingContext()
    let socket: WebSocketConnection
    var texts: [String] = []
    var closeCodes: [UInt16?] = []
    var opened = 0

    init(_ configuration: WebSocketConfiguration = WebSocketConfiguration(), leftover: [UInt8] = [], echo: Bool = true) {
        socket = WebSocketConnection(configuration: configuration, log: .init(service: "test", level: .error))
        context.handler = socket
        socket.onOpen = { [unowned self] _ in self.opened += 1 }
        socket.onText = { [unowned self] ws, text in
            self.texts.append(text)
            if echo { ws.send(text: text) }
        }
        socket.onClose = { [unowned self] _, code in self.closeCodes.append(code) }
        socket.start(context: context, leftover: leftover)
    }
}
