import Redis
import Runtime

/// room-svc settings, read from the environment (TEAM conventions: LISTEN, DATA_DIR, REDIS_URL, LOG_LEVEL).
struct RoomConfig: Sendable {
    /// `LISTEN` (`off`: the Unix socket only).
    var listen: HostPort?
    /// `LISTEN_UNIX`: a Unix socket to listen on as well (or only), for nginx (see `ServerConfig.unixSocket`).
    var listenUnix: String?
    var dataDir: String
    var redis: RedisURL
    var logLevel: LogLevel
    /// Messages (text or image) one user may send per 10 seconds; a benchmark raises it.
    var sendRatePer10s: Int
    /// Worker threads for blocking routes. Senders wait on a worker while their batch commits, so more
    /// workers mean larger batches under load.
    var workers: Int
    /// The most sends committed in one transaction.
    var maxBatch: Int

    init(environment: [String: String]) throws {
        var env = Environment(environment)
        (listen, listenUnix) = env.listeners(default: "127.0.0.1:8082")
        dataDir = env.string("DATA_DIR", default: "./var")
        redis = env.redisURL()
        logLevel = env.logLevel()
        sendRatePer10s = env.int("SEND_RATE_PER_10S", default: 30, range: 1...10_000_000)
        workers = env.int("WORKERS", default: 64, range: 1...1024)
        maxBatch = env.int("SEND_BATCH_MAX", default: 256, range: 1...10_000)
        try env.validate()
    }

    var databasePath: String { dataDir + "/chat.db" }
    var mediaDir: String { dataDir + "/media" }
}
