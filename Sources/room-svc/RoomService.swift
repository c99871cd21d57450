import FoundationEssentials
import HTTP
import Redis
import Runtime
import SQLite

/// room-svc: rooms, members, messages, history, read positions and media authorisation.
///
/// Every `/api/rooms/*` and `/media/*` request has passed nginx's auth_request, which sets
/// `X-User-Id` / `X-Username`; this service trusts those headers and nothing else. It writes only its
/// own tables (`RoomSchema`) and reads auth-svc's `users`. Every change is stored first and published
/// on Redis after its transaction committed.
final class RoomService: Sendable {
    static let maxPictureBytes = 2 * 1024 * 1024
    static let maxImageBytes = 5 * 1024 * 1024

    let config: RoomConfig
    let log: Log
    let db: Database
    let redis: RedisClient
    let publisher: EventPublisher
    let presence: Presence
    let writer: MessageWriter
    let limiter: SendRateLimiter
    let media: MediaStore

    init(config: RoomConfig, log: Log) throws {
        try FileManager.default.createDirectory(atPath: config.mediaDir, withIntermediateDirectories: true)
        // A message is acknowledged only once it is on disk; commits are batched, so the fsync is shared.
        let db = try Database(path: config.databasePath, readers: 4, durable: true)
        do {
            try db.migrate(owner: RoomSchema.owner, RoomSchema.migrations)
        } catch {
            db.close()
            throw error
        }
        self.config = config
        self.log = log
        self.db = db
        redis = RedisClient(url: config.redis, poolSize: 8)
        publisher = EventPublisher(redis: redis, log: log)
        presence = Presence(redis: redis, log: log)
        writer = MessageWriter(db: db, publisher: publisher, log: log, maxBatch: config.maxBatch)
        limiter = SendRateLimiter(perWindow: config.sendRatePer10s)
        media = MediaStore(directory: config.mediaDir)
        writer.start()
    }

    /// Finishes queued sends, then closes the database. Call once, after the server stopped.
    func shutdown() {
        writer.stop()
        db.close()
        redis.close()
    }

    var routes: Router {
        var r = Router()
        r.get("/healthz") { [self] _ in health() }
        r.get("/api/rooms") { [self] req in try listRooms(req) }
        r.post("/api/rooms") { [self] req in try createRoom(req) }
        r.get("/api/rooms/{id}") { [self] req in try showRoom(req) }
        r.patch("/api/rooms/{id}") { [self] req in try renameRoom(req) }
        r.put("/api/rooms/{id}/picture", maxBody: Self.maxPictureBytes) { [self] req in try putPicture(req) }
        r.post("/api/rooms/{id}/members") { [self] req in try addMember(req) }
        r.delete("/api/rooms/{id}/members/me") { [self] req in try leaveRoom(req) }
        r.get("/api/rooms/{id}/messages") { [self] req in try listMessages(req) }
        r.add("POST", "/api/rooms/{id}/messages", deferred: { [self] req, responder in try postMessage(req, responder) })
        r.post("/api/rooms/{id}/images", maxBody: Self.maxImageBytes) { [self] req in try postImage(req) }
        r.post("/api/rooms/{id}/read") { [self] req in try markRead(req) }
        r.post("/api/rooms/{id}/clear") { [self] req in try clearHistory(req) }
        r.get("/media/{file}") { [self] req in try authorizeMedia(req) }
        r.get("/internal/users/{id}/rooms") { [self] req in try internalUserRooms(req) }
        r.get("/internal/rooms/{id}/members/{user}") { [self] req in try internalMembership(req) }
        return r
    }

    /// 200 only when SQLite and Redis both answer.
    func health() -> Response {
        let sqliteOK = (try? db.read { conn in try conn.queryOne("SELECT 1 AS ok") != nil }) ?? false
        let redisOK = redis.ping()
        guard sqliteOK && redisOK else {
            log.warning("health check failed", ["sqlite": String(sqliteOK), "redis": String(redisOK)])
            return .error(.unavailable)
        }
        return .text("ok")
    }
}
