import HTTP
import Mail
import Redis
import Runtime

/// mail-svc: the queue worker plus a `/healthz` route that answers 200 only while Redis does.
final class MailService: Sendable {
    let config: MailConfig
    let log: Log
    let redis: RedisClient
    let worker: MailWorker

    init(config: MailConfig, log: Log) {
        self.config = config
        self.log = log
        // One connection blocks in BLMOVE; the others serve health checks.
        redis = RedisClient(url: config.redis, poolSize: 3)
        let delivery: any MailDelivery
        if let url = config.smtpURL {
            delivery = SMTPDelivery(
                sender: SMTPSender(
                    url: url, startTLS: config.startTLS, user: config.smtpUser, password: config.smtpPassword,
                    timeout: config.smtpTimeout))
        } else {
            delivery = EMLDelivery(directory: config.mailDirectory, log: log)
        }
        worker = MailWorker(queue: MailQueue(redis: redis), delivery: delivery, config: config, log: log)
    }

    var routes: Router {
        var router = Router()
        let redis = self.redis
        router.get("/healthz") { _ in
            redis.ping()
                ? Response.text("ok\n")
                : Response.text("redis unavailable\n", status: .serviceUnavailable)
        }
        return router
    }

    func start() {
        log.info("mail worker starting", [
            "delivery": config.smtpURL == nil ? "eml" : "smtp",
            "eml.dir": config.smtpURL == nil ? config.mailDirectory : "-",
            "retry.window.seconds": String(Int(config.retryWindow)), "max.attempts": "\(config.maxAttempts)",
        ])
        worker.start()
    }

    func stop() { worker.stop() }
}
