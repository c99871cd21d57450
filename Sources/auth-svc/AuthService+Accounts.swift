import HTTP
import Redis
import Runtime
import SQLite

extension AuthService {
    static let invalidCredentials = HTTPError(.unauthorized, "invalid_credentials", "The username or password is not correct.")

    struct RegisterBody: Decodable {
        var username: String?
        var email: String?
        var password: String?
    }

    /// `POST /api/auth/register`: creates the account and logs it in.
    func register(_ req: Request) throws -> Response {
        try requestGuard.check(req)
        let body = try req.decode(RegisterBody.self)
        let username = (body.username ?? "").trimmingWhitespace()
        let email = (body.email ?? "").trimmingWhitespace()
        let password = body.password ?? ""
        var fields: [String: String] = [:]
        if body.username == nil { fields["username"] = "This field is required." }
        else if let problem = Validation.usernameProblem(username) { fields["username"] = problem }
        if body.email == nil { fields["email"] = "This field is required." }
        else if let problem = Validation.emailProblem(email) { fields["email"] = problem }
        if body.password == nil { fields["password"] = "This field is required." }
        else {
            let problems = policy.problems(password: password, username: username, email: email)
            if !problems.isEmpty { fields["password"] = problems.joined(separator: " ") }
        }
        if !fields.isEmpty { throw HTTPError.validation(fields) }
        try ensureAvailable(username: username, email: email)

        let hash = try gate.run { hasher.hash(password) }
        let now = self.now()
        let userAgent = req.headers["User-Agent"]
        let (user, token): (User, String)
        do {
            (user, token) = try db.write { conn in
                try conn.execute(
                    """
                    INSERT INTO users (username, username_lower, email, email_lower, display_name, bio, avatar,
                                       password_hash, is_admin, is_active, created_at)
                    VALUES (?, ?, ?, ?, ?, '', NULL, ?, 0, 1, ?)
                    """, username, username.lowercased(), email, email.lowercased(), username, hash, now)
                let id = conn.lastInsertRowID
                let token = try createSession(conn, userID: id, userAgent: userAgent)
                return (try loadUser(conn, id: id)!, token)
            }
        } catch let error as SQLiteError where error.isConstraint {
            // Lost a race with another registration of the same name or address.
            try ensureAvailable(username: username, email: email)
            throw error
        }
        req.log.info("registered", ["user.id": "\(user.id)"])
        var response = try Response.json(user.view(own: true), status: .created)
        response.headers.add("Set-Cookie", sessionCookie(token))
        return response
    }

    /// 409 when the username or email (ignoring case) already belongs to an account.
    func ensureAvailable(username: String, email: String, exceptUser: Int = 0) throws {
        let (nameTaken, emailTaken) = try db.read { conn in
            (try conn.queryOne("SELECT id FROM users WHERE username_lower = ? AND id != ?", username.lowercased(), exceptUser) != nil,
             try conn.queryOne("SELECT id FROM users WHERE email_lower = ? AND id != ?", email.lowercased(), exceptUser) != nil)
        }
        if nameTaken && !username.isEmpty { throw HTTPError.conflict("username_taken", "That username is already taken.") }
        if emailTaken && !email.isEmpty {
            throw HTTPError.conflict("email_taken", "An account with that email address already exists.")
        }
    }

    func loadUser(_ conn: Connection, id: Int) throws -> User? {
        try conn.queryOne("SELECT \(User.columns) FROM users WHERE id = ?", id).map(User.init(row:))
    }

    /// Finds an account by username or, when the text holds `@`, by email; both ignore case.
    func findUser(login identifier: String) throws -> User? {
        let key = identifier.lowercased()
        let column = key.contains("@") ? "email_lower" : "username_lower"
        return try db.read { conn in
            try conn.queryOne("SELECT \(User.columns) FROM users WHERE \(column) = ?", key).map(User.init(row:))
        }
    }

    struct LoginBody: Decodable {
        var username: String?
        var password: String?
    }

    /// `POST /api/auth/login`. Unknown users cost the same hashing time as wrong passwords; failures
    /// count per login name and per client address, and past the limit the answer is 429.
    func login(_ req: Request) throws -> Response {
        try requestGuard.check(req)
        let body = try req.decode(LoginBody.self)
        var fields: [String: String] = [:]
        if (body.username ?? "").isEmpty { fields["username"] = "This field is required." }
        if (body.password ?? "").isEmpty { fields["password"] = "This field is required." }
        if !fields.isEmpty { throw HTTPError.validation(fields) }
        let identifier = body.username!.trimmingWhitespace()
        let password = body.password!
        // No account has a longer name or address; don't let such text become a Redis key.
        guard identifier.utf8.count <= 254 else { throw Self.invalidCredentials }
        let address = clientAddress(req)
        // Keyed by the name as typed (not the account), so limits behave the same for unknown names.
        let rules = [
            RateLimiter.Rule(key: "rl:login:name:" + identifier.lowercased(), limit: config.limits.loginPerAccount,
                             window: config.limits.loginPerAccountWindow),
            RateLimiter.Rule(key: "rl:login:addr:" + address, limit: config.limits.loginPerAddress,
                             window: config.limits.loginPerAddressWindow),
        ]
        try limiter.ensureAllowed(rules)

        let found = try findUser(login: identifier)
        let (matches, upgradedHash) = try gate.run { () -> (Bool, String?) in
            guard let found else {
                hasher.burnTime(password)
                return (false, nil)
            }
            let ok = hasher.verify(password, encoded: found.passwordHash)
            return (ok, ok && hasher.needsUpgrade(found.passwordHash) ? hasher.hash(password) : nil)
        }
        guard matches, let user = found, user.isActive else {
            try limiter.hit(rules)
            req.log.info("login rejected", ["reason": found == nil ? "unknown_user" : (matches ? "inactive" : "bad_password"),
                                            "client.address": address])
            throw Self.invalidCredentials
        }
        let token = try db.write { conn in
            if let upgradedHash { try replacePasswordHash(conn, user: user, newHash: upgradedHash, keepResets: true) }
            return try createSession(conn, userID: user.id, userAgent: req.headers["User-Agent"])
        }
        try? limiter.reset([rules[0].key])
        req.log.info("logged in", ["user.id": "\(user.id)", "hash.upgraded": "\(upgradedHash != nil)"])
        var response = try Response.json(user.view(own: true))
        response.headers.add("Set-Cookie", sessionCookie(token))
        return response
    }

    /// Stores a new hash. A mere re-hash (`keepResets`, the iteration upgrade at login) keeps
    /// outstanding reset links alive by moving their fingerprint along; a real change kills them.
    func replacePasswordHash(_ conn: Connection, user: User, newHash: String, keepResets: Bool) throws {
        try conn.execute("UPDATE users SET password_hash = ? WHERE id = ?", newHash, user.id)
        if keepResets {
            try conn.execute(
                "UPDATE password_resets SET password_fingerprint = ? WHERE user_id = ? AND password_fingerprint = ?",
                PasswordReset.fingerprint(newHash), user.id, PasswordReset.fingerprint(user.passwordHash))
        }
    }

    func me(_ req: Request) throws -> Response {
        let ctx = try authenticate(req)
        return respond(ctx, try .json(ctx.user.view(own: true)))
    }

    struct ProfileBody: Decodable {
        var display_name: String?
        var email: String?
        var bio: String?
    }

    /// `PATCH /api/auth/me`: any of display_name (1–64), email (valid, unique), bio (0–200).
    func updateMe(_ req: Request) throws -> Response {
        try requestGuard.check(req)
        let ctx = try authenticate(req)
        let body = try req.decode(ProfileBody.self)
        var fields: [String: String] = [:]
        let displayName = body.display_name?.trimmingWhitespace(andNewlines: true)
        let email = body.email?.trimmingWhitespace()
        if let displayName, let problem = Validation.displayNameProblem(displayName) { fields["display_name"] = problem }
        if let email, let problem = Validation.emailProblem(email) { fields["email"] = problem }
        if let bio = body.bio, let problem = Validation.bioProblem(bio) { fields["bio"] = problem }
        if !fields.isEmpty { throw HTTPError.validation(fields) }
        if let email { try ensureAvailable(username: "", email: email, exceptUser: ctx.user.id) }
        let user: User
        do {
            user = try db.write { conn in
                if let displayName { try conn.execute("UPDATE users SET display_name = ? WHERE id = ?", displayName, ctx.user.id) }
                if let email {
                    try conn.execute("UPDATE users SET email = ?, email_lower = ? WHERE id = ?", email, email.lowercased(), ctx.user.id)
                }
                if let bio = body.bio { try conn.execute("UPDATE users SET bio = ? WHERE id = ?", bio, ctx.user.id) }
                return try loadUser(conn, id: ctx.user.id)!
            }
        } catch let error as SQLiteError where error.isConstraint {
            throw HTTPError.conflict("email_taken", "An account with that email address already exists.")
        }
        req.log.info("profile updated", ["user.id": "\(user.id)"])
        return respond(ctx, try .json(user.view(own: true)))
    }

    struct PasswordBody: Decodable {
        var current_password: String?
        var new_password: String?
    }

    /// `POST /api/auth/password`: needs the current password; ends the user's other sessions.
    func changePassword(_ req: Request) throws -> Response {
        try requestGuard.check(req)
        let ctx = try authenticate(req)
        let body = try req.decode(PasswordBody.self)
        var fields: [String: String] = [:]
        if (body.current_password ?? "").isEmpty { fields["current_password"] = "This field is required." }
        if body.new_password == nil { fields["new_password"] = "This field is required." }
        else {
            let problems = policy.problems(password: body.new_password!, username: ctx.user.username, email: ctx.user.email)
            if !problems.isEmpty { fields["new_password"] = problems.joined(separator: " ") }
        }
        if !fields.isEmpty { throw HTTPError.validation(fields) }
        let rule = RateLimiter.Rule(key: "rl:password:user:\(ctx.user.id)", limit: config.limits.loginPerAccount,
                                    window: config.limits.loginPerAccountWindow)
        try limiter.ensureAllowed([rule])
        let newHash = try gate.run { () -> String? in
            guard hasher.verify(body.current_password!, encoded: ctx.user.passwordHash) else { return nil }
            return hasher.hash(body.new_password!)
        }
        guard let newHash else {
            try limiter.hit([rule])
            req.log.info("password change rejected", ["user.id": "\(ctx.user.id)", "reason": "bad_password"])
            throw HTTPError.validation(["current_password": "The current password is not correct."])
        }
        let ended = try db.write { conn in
            try replacePasswordHash(conn, user: ctx.user, newHash: newHash, keepResets: false)
            return try conn.query("DELETE FROM sessions WHERE user_id = ? AND id != ? RETURNING id", ctx.user.id, ctx.sessionID)
                .map { $0.int("id") }
        }
        sessionsEnded(user: ctx.user.id, ended)
        req.log.info("password changed", ["user.id": "\(ctx.user.id)", "sessions.ended": "\(ended.count)"])
        return respond(ctx, .noContent)
    }
}
