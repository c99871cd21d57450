import HTTP
import Runtime
import SQLite

/// The logged-in caller of one of auth-svc's own routes.
struct SessionContext: Sendable {
    var user: User
    var sessionID: Int
    /// The session's expiry moved forward on this request: re-send the cookie so the browser's
    /// copy slides too.
    var refreshed: Bool
    var token: String
    /// The session's expiry after this request (ms since the epoch).
    var expiresAt: Int
}

extension AuthService {
    /// A session's expiry and `last_seen_at` move at most this often, to spare the database writes.
    static let slideInterval = 60_000

    /// Starts a session inside the caller's write transaction; returns the token for the cookie.
    func createSession(_ conn: Connection, userID: Int, userAgent: String?) throws -> String {
        let token = SessionCookie.newToken()
        let now = self.now()
        try conn.execute(
            "INSERT INTO sessions (user_id, token_hash, created_at, last_seen_at, expires_at, user_agent) VALUES (?, ?, ?, ?, ?, ?)",
            userID, SessionCookie.hash(token), now, now, now + AuthConfig.sessionLifetime * 1000,
            String((userAgent ?? "").prefix(256)))
        // Expired sessions of this user are of no use to anyone.
        try conn.execute("DELETE FROM sessions WHERE user_id = ? AND expires_at <= ?", userID, now)
        return token
    }

    func sessionCookie(_ token: String) -> String {
        SessionCookie.set(token, secure: config.secureCookies, maxAge: AuthConfig.sessionLifetime)
    }

    /// Built once: every request behind nginx runs it (auth_request).
    static let sessionQuery = """
        SELECT s.id AS session_id, s.last_seen_at AS session_last_seen, s.expires_at AS session_expires,
               \(User.qualifiedColumns("u"))
        FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?
        """

    /// The session named by the request's cookie; 401 when missing, unknown, expired or the user
    /// is disabled. Slides the session when it was last refreshed over a minute ago.
    func authenticate(_ req: Request) throws -> SessionContext {
        guard let token = SessionCookie.token(in: req.headers) else { throw HTTPError.unauthorized }
        let hash = SessionCookie.hash(token)
        let row = try db.read { conn in try conn.queryOne(Self.sessionQuery, hash) }
        let now = self.now()
        guard let row, row.int("session_expires") > now else { throw HTTPError.unauthorized }
        let user = User(row: row)
        guard user.isActive else { throw HTTPError.unauthorized }
        let sessionID = row.int("session_id")
        var expiresAt = row.int("session_expires")
        var refreshed = false
        if now - row.int("session_last_seen") >= Self.slideInterval {
            expiresAt = now + AuthConfig.sessionLifetime * 1000
            try db.write { conn in
                try conn.execute("UPDATE sessions SET last_seen_at = ?, expires_at = ? WHERE id = ?", now, expiresAt, sessionID)
            }
            refreshed = true
        }
        return SessionContext(user: user, sessionID: sessionID, refreshed: refreshed, token: token, expiresAt: expiresAt)
    }

    /// Adds the refreshed cookie to a response of an authenticated route.
    func respond(_ ctx: SessionContext, _ response: Response) -> Response {
        guard ctx.refreshed else { return response }
        var response = response
        response.headers.add("Set-Cookie", sessionCookie(ctx.token))
        return response
    }

    // MARK: routes

    /// `GET /internal/verify`: nginx's auth_request. 200 with the user's id and name, or the
    /// contract's error (401 not logged in, 403 bad origin, 415 JSON write without JSON). The code
    /// is repeated in `X-Auth-Error` for nginx, which can only pass 401 and 403 on itself.
    ///
    /// This half runs on the worker pool: it reads the session from SQLite (sliding its expiry) and
    /// remembers the answer in `sessionCache` for `verifyOnLoop`.
    func verify(_ req: Request) throws -> Response {
        do {
            try checkOriginal(req)
            let epoch = sessionCache.epoch
            let ctx = try authenticate(req)
            sessionCache.store(SessionCookie.hash(ctx.token), userID: ctx.user.id, username: ctx.user.username,
                               sessionID: ctx.sessionID, expiresAt: ctx.expiresAt, epoch: epoch)
            return Self.verified(userID: ctx.user.id, username: ctx.user.username, sessionID: ctx.sessionID)
        } catch let error as HTTPError {
            return Self.verifyFailed(error)
        }
    }

    /// The event-loop half of `verify`: answers refused and anonymous requests and sessions in the
    /// cache without blocking; nil sends the request on to `verify`.
    func verifyOnLoop(_ req: Request) -> Response? {
        do throws(HTTPError) {
            try checkOriginal(req)
            guard let token = SessionCookie.token(in: req.headers) else { throw HTTPError.unauthorized }
            guard let hit = sessionCache.lookup(SessionCookie.hash(token), nowMs: now()) else { return nil }
            return Self.verified(userID: hit.userID, username: hit.username, sessionID: hit.sessionID)
        } catch {
            return Self.verifyFailed(error)
        }
    }

    /// The cross-site checks on the request nginx describes in `X-Original-Method`, `X-Original-URI`
    /// and, for its body, `X-Original-Content-Length` and `X-Original-Transfer-Encoding` (nginx
    /// leaves out a header whose value is empty, so both missing means no body).
    private func checkOriginal(_ req: Request) throws(HTTPError) {
        let length = req.headers["X-Original-Content-Length"].map { Int($0.trimmingOWS()) ?? 1 } ?? 0
        let chunked = !(req.headers["X-Original-Transfer-Encoding"]?.trimmingOWS().isEmpty ?? true)
        try requestGuard.check(method: req.headers["X-Original-Method"] ?? "GET", path: req.headers["X-Original-URI"] ?? "/",
                               headers: req.headers, hasBody: length != 0 || chunked)
    }

    private static func verified(userID: Int, username: String, sessionID: Int) -> Response {
        var headers = Headers()
        headers.add("X-User-Id", String(userID))
        headers.add("X-Username", username)
        headers.add("X-Session-Id", String(sessionID))
        return Response(status: .ok, headers: headers)
    }

    private static func verifyFailed(_ error: HTTPError) -> Response {
        var response = Response.error(error)
        response.headers.add("X-Auth-Error", error.code)
        return response
    }

    /// Call once sessions were deleted: drops them from the verify cache, and tells relay-svc (on
    /// `user:<id>`) so sockets opened with them close at once instead of receiving events until they
    /// reconnect. Pub/sub is at most once: a socket that misses this still loses its identity at its
    /// next reconnect.
    func sessionsEnded(user: Int, _ ids: [Int]) {
        guard !ids.isEmpty else { return }
        sessionCache.forget(sessions: ids)
        let frame = #"{"type":"sessions_ended","session_ids":["# + ids.map(String.init).joined(separator: ",") + "]}"
        do {
            _ = try redis.publish("user:\(user)", Array(frame.utf8))
        } catch {
            log.warning("cannot announce ended sessions", ["user.id": String(user), "error": "\(error)"])
        }
    }

    func logout(_ req: Request) throws -> Response {
        try requestGuard.check(req)
        let ctx = try authenticate(req)
        try db.write { conn in try conn.execute("DELETE FROM sessions WHERE id = ?", ctx.sessionID) }
        sessionsEnded(user: ctx.user.id, [ctx.sessionID])
        req.log.info("logged out", ["user.id": "\(ctx.user.id)", "session.id": "\(ctx.sessionID)"])
        var response = Response.noContent
        response.headers.add("Set-Cookie", SessionCookie.clear(secure: config.secureCookies))
        return response
    }

    struct SessionView: Encodable {
        var id: Int
        var created_at: String
        var last_seen_at: String
        var user_agent: String
        var current: Bool
    }

    func listSessions(_ req: Request) throws -> Response {
        let ctx = try authenticate(req)
        let now = self.now()
        let rows = try db.read { conn in
            try conn.query(
                """
                SELECT id, created_at, last_seen_at, user_agent FROM sessions
                WHERE user_id = ? AND expires_at > ? ORDER BY last_seen_at DESC, id DESC
                """, ctx.user.id, now)
        }
        let sessions = rows.map { row in
            SessionView(id: row.int("id"),
                        created_at: UTCTime(milliseconds: Int64(row.int("created_at"))).rfc3339,
                        last_seen_at: UTCTime(milliseconds: Int64(row.int("last_seen_at"))).rfc3339,
                        user_agent: row.string("user_agent"), current: row.int("id") == ctx.sessionID)
        }
        return respond(ctx, try .json(["sessions": sessions]))
    }

    /// Ends one of the caller's own sessions; anyone else's is 404 (existence is not revealed).
    func deleteSession(_ req: Request) throws -> Response {
        try requestGuard.check(req)
        let ctx = try authenticate(req)
        let id = try req.id("id")
        let deleted = try db.write { conn in
            try conn.execute("DELETE FROM sessions WHERE id = ? AND user_id = ?", id, ctx.user.id)
            return conn.changes
        }
        guard deleted == 1 else { throw HTTPError.notFound("No such session.") }
        sessionsEnded(user: ctx.user.id, [id])
        req.log.info("session ended", ["user.id": "\(ctx.user.id)", "session.id": "\(id)"])
        var response = Response.noContent
        if id == ctx.sessionID { response.headers.add("Set-Cookie", SessionCookie.clear(secure: config.secureCookies)) }
        return response
    }
}
