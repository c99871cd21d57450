import Glibc
import IO
import Mail
import Redis
import Runtime
import Synchronization

/// Takes jobs off the queue and delivers them, on a thread of its own (SMTP and BLMOVE block).
/// A job leaves `mail:processing` only once the server accepted it, or when it is rescheduled or
/// dead-lettered; the reset token and link never reach the log.
final class MailWorker: Sendable {
    let queue: MailQueue
    let delivery: any MailDelivery
    let builder: PasswordResetMail
    let config: MailConfig
    let log: Log
    private let stopping = Atomic<Bool>(false)
    private let thread = Mutex<OwnedThread?>(nil)

    init(queue: MailQueue, delivery: any MailDelivery, config: MailConfig, log: Log) {
        self.queue = queue
        self.delivery = delivery
        self.config = config
        self.log = log
        builder = PasswordResetMail(publicURL: config.publicURL, from: config.from)
    }

    func start() {
        thread.withLock { current in
            guard current == nil else { return }
            current = OwnedThread(name: "mail-worker") { self.run() }
        }
    }

    /// Asks the worker to stop after the job in hand and waits for it.
    func stop() {
        stopping.store(true, ordering: .releasing)
        thread.withLock { $0 }?.join()
    }

    private var isStopping: Bool { stopping.load(ordering: .acquiring) }

    private func run() {
        retryingRedis("recover") {
            let moved = try queue.recover()
            if moved > 0 { log.warning("requeued mail left in processing", ["count": "\(moved)"]) }
        }
        while !isStopping {
            retryingRedis("poll") {
                try queue.promoteDue(nowMilliseconds: UTCTime.now().milliseconds)
                if let raw = try queue.take(timeout: config.pollInterval) { process(raw) }
            }
        }
    }

    /// Runs a Redis step; while Redis fails, logs once and keeps trying every second until it works
    /// or the worker stops.
    private func retryingRedis(_ step: String, _ body: () throws -> Void) {
        var failures = 0
        while !isStopping {
            do {
                try body()
                if failures > 0 { log.info("redis reachable again", ["step": step]) }
                return
            } catch {
                if failures == 0 { log.error("redis unavailable", ["step": step, "error": "\(error)"]) }
                failures += 1
                usleep(UInt32(min(5, 0.2 * Double(failures)) * 1_000_000))
            }
        }
    }

    func process(_ raw: [UInt8]) {
        guard var job = MailJob.decode(raw) else {
            log.error("malformed mail job dead-lettered", ["bytes": "\(raw.count)"])
            retryingRedis("bury") { try queue.bury(raw, updated: raw) }
            return
        }
        let jobLog = log.with(["mail.id": job.safeID, "mail.kind": job.kind])
        let message: MailMessage
        do {
            message = try builder.make(for: job)
        } catch {
            job.lastError = "invalid job: \(error)"
            job.token = nil  // a dead letter is read by operators: no live reset token in it
            jobLog.error("invalid mail job dead-lettered", ["error": job.lastError ?? ""])
            retryingRedis("bury") { try queue.bury(raw, updated: job.encoded()) }
            return
        }
        do {
            try delivery.deliver(message, jobID: job.safeID)
        } catch {
            failed(raw, job: job, error: "\(error)", log: jobLog)
            return
        }
        retryingRedis("complete") { try queue.complete(raw) }
        jobLog.info("mail sent", ["attempt": "\((job.attempts ?? 0) + 1)"])
    }

    private func failed(_ raw: [UInt8], job original: MailJob, error: String, log jobLog: Log) {
        var job = original
        let attempts = (job.attempts ?? 0) + 1
        job.attempts = attempts
        job.lastError = error
        if attempts >= config.maxAttempts {
            job.token = nil  // a dead letter is read by operators: no live reset token in it
            jobLog.error("mail dead-lettered after last attempt", ["attempts": "\(attempts)", "error": error])
            retryingRedis("bury") { try queue.bury(raw, updated: job.encoded()) }
            return
        }
        let delay = config.retryDelay(afterAttempt: attempts)
        let due = UTCTime.now().milliseconds + Int64(delay * 1000)
        jobLog.warning("mail send failed, will retry", [
            "attempt": "\(attempts)", "retry.seconds": delay.fixed(1), "error": error,
        ])
        retryingRedis("retry") { try queue.scheduleRetry(raw, updated: job.encoded(), dueMilliseconds: due) }
    }
}
