import IO
import Runtime
#if canImport(Glibc)
import Glibc
#endif

/// After `101 Switching Protocols` the connection belongs to an `UpgradedConnection`, which
/// drives it through this context on the loop thread.
extension HTTPConnection: ConnectionContext {
    var executor: any LoopExecutor { loop }

    @discardableResult
    func write(_ buffer: SharedBytes) -> Bool {
        guard phase == .upgraded, !closeWhenDrained else { return false }
        guard outboundBytes + buffer.count <= owner.limits.maxOutbound else { return false }
        enqueue(buffer)
        flush()
        return true
    }

    @discardableResult
    func enqueue(_ buffer: SharedBytes, limit: Int) -> Bool {
        guard phase == .upgraded, !closeWhenDrained else { return false }
        guard outboundBytes + buffer.count <= min(limit, owner.limits.maxOutbound) else { return false }
        enqueue(buffer)
        return true
    }

    var pendingBytes: Int { outboundBytes }

    func close() {
        guard phase == .upgraded else { return }
        closeUpgraded()
    }

    @discardableResult
    func schedule(after seconds: Double, _ work: @escaping () -> Void) -> any TimerHandle {
        timers.removeAll { $0.isCancelled }
        let timer = loop.schedule(after: seconds, work)
        if phase == .closed { timer.cancel() } else { timers.append(timer) }
        return timer
    }

    /// Hands the connection and the bytes that followed the request head to the new protocol.
    func startUpgrade() {
        guard let make = pendingUpgrade else { return }
        pendingUpgrade = nil
        let handler = make()
        upgraded = handler
        let leftover = pending
        pending = []
        handler.start(context: self, leftover: leftover)
    }

    /// Flushes what the upgraded protocol queued, then closes.
    func closeUpgraded() {
        closeWhenDrained = true
        if outboundBytes == 0 { finishClosing() } else { updateInterest() }
    }
}
