import HTTP

/// Runs work at once; the tests are the loop thread.
public final class ImmediateExecutor: LoopExecutor {
    public init() {}
    public func execute(_ work: @escaping @Sendable () -> Void) { work() }
    public var inLoop: Bool { true }
    public func after(_ seconds: Double, _ work: @escaping () -> Void) { work() }
}

/// A `ConnectionContext` that records what the handler does, for testing connection logic
/// step by step; timers fire only when a test fires them. Like the server, it reports
/// `closed()` to the handler once the connection is closed or aborted.
public final class RecordingContext: ConnectionContext {
    public final class Timer: TimerHandle {
        public let seconds: Double
        public let work: () -> Void
        public var cancelled = false
        init(seconds: Double, work: @escaping () -> Void) {
            self.seconds = seconds
            self.work = work
        }
        public func cancel() { cancelled = true }
    }

    public let executor: any LoopExecutor
    public weak var handler: (any UpgradedConnection)?
    public var written: [UInt8] = []
    public var pendingBytes = 0
    public var acceptWrites = true
    public var closedGracefully = false
    public var aborted = false
    public var timers: [Timer] = []
    /// Queued bytes count as pending until `flush()`.
    public var queued: [UInt8] = []
    /// `flush()` calls that had something to write.
    public var flushes = 0

    public init(executor: any LoopExecutor = ImmediateExecutor()) { self.executor = executor }

    public func write(_ buffer: SharedBytes) -> Bool {
        guard acceptWrites, !closedGracefully, !aborted else { return false }
        written += buffer.bytes
        return true
    }

    public func enqueue(_ buffer: SharedBytes, limit: Int) -> Bool {
        guard acceptWrites, !closedGracefully, !aborted, pendingBytes + queued.count + buffer.count <= limit else { return false }
        queued += buffer.bytes
        return true
    }

    public func flush() {
        if !queued.isEmpty { flushes += 1 }
        written += queued
        queued = []
    }

    public func close() {
        guard !closedGracefully, !aborted else { return }
        closedGracefully = true
        handler?.closed()
    }

    public func abort() {
        guard !closedGracefully, !aborted else { return }
        aborted = true
        handler?.closed()
    }

    public func schedule(after seconds: Double, _ work: @escaping () -> Void) -> any TimerHandle {
        let timer = Timer(seconds: seconds, work: work)
        timers.append(timer)
        return timer
    }

    /// Fires the live timers scheduled so far, once each.
    public func fireTimers() {
        let due = timers.filter { !$0.cancelled }
        timers.removeAll { timer in due.contains { $0 === timer } }
        for timer in due { timer.work() }
    }

    public func feed(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { handler?.received($0) }
    }
}
