import Crypto
import Dispatch
import FoundationEssentials
import HTTP
import Redis
import Runtime
import SQLite

/// Accounts, sessions and profiles: the state and the routes of auth-svc.
final class AuthService: Sendable {
    let config: AuthConfig
    let log: Log
    let db: Database
    let redis: RedisClient
    let hasher: PasswordHasher
    let policy: PasswordPolicy
    let gate: HashGate
    let limiter: RateLimiter
    let requestGuard: RequestGuard
    let sessionCache: SessionCache
    /// Runs password-reset lookups after the 202 is sent, so the answer's timing does not depend on
    /// whether the address exists. A serial queue of our own: it blocks on SQLite and Redis.
    let resetQueue = DispatchQueue(label: "auth.password-reset")

    static let mailQueue = "mail:queue"

    init(config: AuthConfig, log: Log) throws {
        self.config = config
        self.log = log
        try FileManager.default.createDirectory(atPath: config.dataDir, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: config.mediaDir, withIntermediateDirectories: true)
        policy = try PasswordPolicy(contentsOfFile: config.commonPasswordsFile)
        db = try Database(path: config.databasePath)
        try db.migrate(owner: AuthSchema.owner, AuthSchema.migrations)
        redis = RedisClient(url: config.redis)
        hasher = PasswordHasher(iterations: config.passwordIterations)
        gate = HashGate(concurrency: config.hashConcurrency, queueLimit: config.hashQueueLimit)
        limiter = RateLimiter(redis: redis, log: log)
        requestGuard = RequestGuard(publicOrigin: config.publicOrigin)
        sessionCache = SessionCache(ttl: config.sessionCacheSeconds)
        log.debug("auth service ready", ["common_passwords.count": "\(policy.commonPasswords.count)"])
    }

    /// Finishes queued reset work and closes the database.
    func close() {
        resetQueue.sync {}
        redis.close()
        db.close()
    }

    var serverConfig: ServerConfig {
        var server = ServerConfig(listen: config.listen, unixSocket: config.listenUnix)
        server.workers = config.workers
        return server
    }

    var routes: Router {
        var r = Router()
        r.get("/healthz") { [self] _ in try health() }
        r.get("/internal/verify", execution: .inlineFirst({ [self] req in verifyOnLoop(req) })) { [self] req in try verify(req) }
        r.post("/api/auth/register") { [self] req in try register(req) }
        r.post("/api/auth/login") { [self] req in try login(req) }
        r.post("/api/auth/logout") { [self] req in try logout(req) }
        r.get("/api/auth/me") { [self] req in try me(req) }
        r.patch("/api/auth/me") { [self] req in try updateMe(req) }
        r.put("/api/auth/me/avatar", maxBody: Avatar.maxBytes) { [self] req in try putAvatar(req) }
        r.delete("/api/auth/me/avatar") { [self] req in try deleteAvatar(req) }
        r.post("/api/auth/password") { [self] req in try changePassword(req) }
        r.post("/api/auth/password-reset") { [self] req in try requestReset(req) }
        r.post("/api/auth/password-reset/confirm") { [self] req in try confirmReset(req) }
        r.get("/api/auth/sessions") { [self] req in try listSessions(req) }
        r.delete("/api/auth/sessions/{id}") { [self] req in try deleteSession(req) }
        r.get("/api/users") { [self] req in try searchUsers(req) }
        return r
    }

    func health() throws -> Response {
        let sqliteOK = (try? db.read { conn in try conn.queryOne("SELECT 1 AS ok") != nil }) ?? false
        let redisOK = redis.ping()
        guard sqliteOK && redisOK else {
            log.warning("health check failed", ["sqlite.ok": "\(sqliteOK)", "redis.ok": "\(redisOK)"])
            throw HTTPError.unavailable
        }
        return .jsonBytes(Array(#"{"status":"ok"}"#.utf8))
    }

    /// The client address nginx saw (`X-Real-IP`), else the peer's.
    func clientAddress(_ req: Request) -> String {
        if let ip = req.headers["X-Real-IP"]?.trimmingOWS(), !ip.isEmpty { return ip }
        let peer = req.remoteAddress
        if let colon = peer.lastIndex(of: ":") { return String(peer[..<colon]) }
        return peer
    }

    /// Wall-clock milliseconds, the unit of every time column.
    func now() -> Int { Int(UTCTime.now().milliseconds) }
}
