import Crypto
import HTTP
import Runtime
import SQLite

/// Password-reset tokens: 256-bit random, stored as SHA-256, valid one hour, single use, and bound to
/// a fingerprint of the password hash they were issued against, so any password change kills them.
enum PasswordReset {
    static func fingerprint(_ passwordHash: String) -> [UInt8] { Digest.sha256(Array(passwordHash.utf8)) }

    static let invalidToken = HTTPError.badRequest("invalid_token", "This reset link is invalid or has expired. Ask for a new one.")

    /// The same body whether or not the address has an account.
    static let acceptedBody = Array(
        #"{"status":"accepted","message":"If an account uses that address, a link to reset its password is on its way."}"#.utf8)

    /// The mail job of TEAM conventions, LPUSHed to `mail:queue` for mail-svc.
    struct MailJob: Encodable {
        var id: String
        var kind = "password_reset"
        var to: String
        var username: String
        var token: String
        var attempts = 0
    }
}

extension AuthService {
    struct ResetRequestBody: Decodable {
        var email: String?
    }

    /// `POST /api/auth/password-reset`: always 202 with the same body. The lookup, the token row and
    /// the mail job happen after the answer on `resetQueue`, so timing does not reveal accounts either.
    func requestReset(_ req: Request) throws -> Response {
        try requestGuard.check(req)
        let body = try req.decode(ResetRequestBody.self)
        let email = (body.email ?? "").trimmingWhitespace()
        if body.email == nil { throw HTTPError.validation(["email": "This field is required."]) }
        if let problem = Validation.emailProblem(email) { throw HTTPError.validation(["email": problem]) }
        let rules = [
            RateLimiter.Rule(key: "rl:reset:email:" + email.lowercased(), limit: config.limits.resetPerEmail,
                             window: config.limits.resetPerEmailWindow),
            RateLimiter.Rule(key: "rl:reset:addr:" + clientAddress(req), limit: config.limits.resetPerAddress,
                             window: config.limits.resetPerAddressWindow),
        ]
        if let retryAfter = try limiter.hit(rules) { throw HTTPError.rateLimited(retryAfter: retryAfter) }
        let token = SecureRandom.token(bytes: 32)
        let log = req.log
        resetQueue.async { [self] in issueReset(email: email, token: token, log: log) }
        return .jsonBytes(PasswordReset.acceptedBody, status: .accepted)
    }

    /// Stores the token and queues the mail when the address belongs to an active account.
    func issueReset(email: String, token: String, log: Log) {
        do {
            let now = self.now()
            let user = try db.write { conn -> User? in
                try conn.execute("DELETE FROM password_resets WHERE expires_at <= ?", now)
                guard let row = try conn.queryOne("SELECT \(User.columns) FROM users WHERE email_lower = ?", email.lowercased())
                else { return nil }
                let user = User(row: row)
                guard user.isActive else { return nil }
                try conn.execute(
                    """
                    INSERT INTO password_resets (user_id, token_hash, created_at, expires_at, used_at, password_fingerprint)
                    VALUES (?, ?, ?, ?, NULL, ?)
                    """, user.id, Digest.sha256(Array(token.utf8)), now, now + AuthConfig.resetLifetime * 1000,
                    PasswordReset.fingerprint(user.passwordHash))
                return user
            }
            guard let user else {
                log.info("password reset requested", ["account.found": "false"])
                return
            }
            let job = PasswordReset.MailJob(id: Hex.encode(SecureRandom.bytes(16)), to: user.email, username: user.username, token: token)
            try redis.lpush(Self.mailQueue, try JSON.encode(job))
            log.info("password reset queued", ["user.id": "\(user.id)", "job.id": job.id])
        } catch {
            log.error("password reset failed", ["error": "\(error)"])
        }
    }

    struct ResetConfirmBody: Decodable {
        var token: String?
        var new_password: String?
    }

    /// `POST /api/auth/password-reset/confirm`: sets the new password and ends every session.
    func confirmReset(_ req: Request) throws -> Response {
        try requestGuard.check(req)
        let body = try req.decode(ResetConfirmBody.self)
        if body.new_password == nil { throw HTTPError.validation(["new_password": "This field is required."]) }
        guard let token = body.token, !token.isEmpty, token.utf8.count <= 128 else { throw PasswordReset.invalidToken }
        let newPassword = body.new_password!
        let tokenHash = Digest.sha256(Array(token.utf8))
        let row = try db.read { conn in
            try conn.queryOne(
                """
                SELECT r.id AS reset_id, r.expires_at AS reset_expires, r.used_at AS reset_used,
                       r.password_fingerprint AS reset_fingerprint, \(User.qualifiedColumns("u"))
                FROM password_resets r JOIN users u ON u.id = r.user_id WHERE r.token_hash = ?
                """, tokenHash)
        }
        guard let row, row.optionalInt("reset_used") == nil, row.int("reset_expires") > now() else {
            throw PasswordReset.invalidToken
        }
        let user = User(row: row)
        let fingerprint = row.blob("reset_fingerprint")
        guard user.isActive, constantTimeEquals(fingerprint, PasswordReset.fingerprint(user.passwordHash)) else {
            throw PasswordReset.invalidToken
        }
        let problems = policy.problems(password: newPassword, username: user.username, email: user.email)
        if !problems.isEmpty { throw HTTPError.validation(["new_password": problems.joined(separator: " ")]) }
        let newHash = try gate.run { hasher.hash(newPassword) }
        let resetID = row.int("reset_id")
        let now = self.now()
        let ended = try db.write { conn in
            // Re-checked inside the transaction: a concurrent confirm or password change wins once.
            try conn.execute("UPDATE password_resets SET used_at = ? WHERE id = ? AND used_at IS NULL", now, resetID)
            guard conn.changes == 1 else { throw PasswordReset.invalidToken }
            try conn.execute("UPDATE users SET password_hash = ? WHERE id = ? AND password_hash = ?",
                             newHash, user.id, user.passwordHash)
            guard conn.changes == 1 else { throw PasswordReset.invalidToken }
            return try conn.query("DELETE FROM sessions WHERE user_id = ? RETURNING id", user.id).map { $0.int("id") }
        }
        sessionsEnded(user: user.id, ended)
        // Whoever reset the password may log in again at once.
        try? limiter.reset(["rl:login:name:" + user.username.lowercased(), "rl:login:name:" + user.email.lowercased()])
        req.log.info("password reset", ["user.id": "\(user.id)", "sessions.ended": "\(ended.count)"])
        return .noContent
    }
}
