import Crypto
import Foundation
import Testing

@testable import auth_svc

@Suite(.timeLimit(.minutes(1))) struct AccountsTests {
    @Test func registerLogsInWithASessionCookie() throws {
        try Harness.with { h in
            let r = try h.call("POST", "/api/auth/register",
                               json: ["username": "Ada", "email": "Ada@Example.com", "password": Harness.password])
            #expect(r.status == 201)
            #expect(r.json["username"] as? String == "Ada")
            #expect(r.json["display_name"] as? String == "Ada")
            #expect(r.json["email"] as? String == "Ada@Example.com")
            #expect(r.json["bio"] as? String == "")
            #expect(r.json["avatar_url"] is NSNull)
            #expect((r.json["id"] as? Int ?? 0) > 0)
            let set = try #require(r.header("Set-Cookie"))
            let attributes = set.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            #expect(attributes.first?.hasPrefix("session=") == true)
            #expect(attributes.first?.count == "session=".count + 43)
            #expect(Set(attributes.dropFirst()) == ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=1209600"])
            let me = try h.call("GET", "/api/auth/me", cookie: r.sessionCookie)
            #expect(me.status == 200)
            #expect(me.json["username"] as? String == "Ada")
            // Only the token's hash is stored.
            let token = String(r.sessionCookie!.dropFirst("session=".count))
            let stored = try h.db { try $0.queryOne("SELECT token_hash FROM sessions")!.blob("token_hash") }
            #expect(stored == Digest.sha256(Array(token.utf8)))
            #expect(try h.db { try $0.queryOne("SELECT password_hash FROM users")!.string("password_hash") }
                .hasPrefix("pbkdf2_sha256$1000$"))
        }
    }

    @Test func cookieIsSecureWhenThePublicURLIsHTTPS() throws {
        try Harness.with(["PUBLIC_URL": "https://chat.test"]) { h in
            let r = try h.call("POST", "/api/auth/register",
                               json: ["username": "ada", "email": "ada@example.com", "password": Harness.password],
                               origin: "https://chat.test")
            #expect(r.status == 201)
            #expect(r.header("Set-Cookie")?.hasSuffix("; Secure") == true)
        }
    }

    @Test func registerValidatesEveryField() throws {
        try Harness.with { h in
            var r = try h.call("POST", "/api/auth/register", json: [:])
            #expect(r.status == 400)
            #expect(r.errorCode == "invalid_input")
            #expect(Set(r.fields.keys) == ["username", "email", "password"])

            r = try h.call("POST", "/api/auth/register", json: ["username": "a b", "email": "nope", "password": "short"])
            #expect(r.status == 400)
            #expect(r.fields["username"] == Validation.usernameRule)
            #expect(r.fields["email"] == "Enter a valid email address.")
            #expect(r.fields["password"]?.contains("too short") == true)

            let cases: [(String, String)] = [
                ("73910462739", "entirely numeric"), ("password123", "too common"), ("adalovelace1", "too similar"),
            ]
            for (password, message) in cases {
                r = try h.call("POST", "/api/auth/register",
                               json: ["username": "adalovelace", "email": "ada@example.com", "password": password])
                #expect(r.status == 400)
                #expect(r.fields["password"]?.contains(message) == true, "\(password)")
            }
            r = try h.call("POST", "/api/auth/register", json: ["username": 5, "email": "ada@example.com", "password": "x"])
            #expect(r.status == 400)
            #expect(r.fields["username"] != nil)
            r = try h.call("POST", "/api/auth/register", body: Array("{not json".utf8), contentType: "application/json")
            #expect(r.status == 400)
            #expect(r.errorCode == "invalid_json")
            #expect(try h.db { try $0.queryOne("SELECT count(*) AS n FROM users")!.int("n") } == 0)
        }
    }

    @Test func usernamesAndEmailsAreUniqueIgnoringCase() throws {
        try Harness.with { h in
            try h.register("ada")
            var r = try h.call("POST", "/api/auth/register",
                               json: ["username": "ADA", "email": "other@example.com", "password": Harness.password])
            #expect(r.status == 409)
            #expect(r.errorCode == "username_taken")
            r = try h.call("POST", "/api/auth/register",
                           json: ["username": "grace", "email": "ADA@example.COM", "password": Harness.password])
            #expect(r.status == 409)
            #expect(r.errorCode == "email_taken")
        }
    }

    @Test func publicRoutesCheckOriginAndContentType() throws {
        try Harness.with { h in
            let routes: [(String, [String: Any])] = [
                ("/api/auth/register", ["username": "ada", "email": "ada@example.com", "password": Harness.password]),
                ("/api/auth/login", ["username": "ada", "password": Harness.password]),
                ("/api/auth/password-reset", ["email": "ada@example.com"]),
                ("/api/auth/password-reset/confirm", ["token": "x", "new_password": Harness.password]),
            ]
            for (path, body) in routes {
                var r = try h.call("POST", path, json: body, origin: nil)
                #expect(r.status == 403, "\(path)")
                #expect(r.errorCode == "bad_origin")
                r = try h.call("POST", path, json: body, origin: "http://evil.test")
                #expect(r.status == 403, "\(path)")
                r = try h.call("POST", path, json: body, contentType: "text/plain")
                #expect(r.status == 415, "\(path)")
                #expect(r.errorCode == "unsupported_media_type")
            }
            #expect(try h.db { try $0.queryOne("SELECT count(*) AS n FROM users")!.int("n") } == 0)
        }
    }

    @Test func loginByUsernameOrEmailIgnoringCase() throws {
        try Harness.with { h in
            try h.register("ada")
            for name in ["ada", "ADA", "ada@example.com", "Ada@Example.COM"] {
                let r = try h.call("POST", "/api/auth/login", json: ["username": name, "password": Harness.password])
                #expect(r.status == 200, "\(name)")
                #expect(r.json["username"] as? String == "ada")
                #expect(r.json["email"] as? String == "ada@example.com")
                #expect(r.sessionCookie != nil)
            }
        }
    }

    @Test func wrongPasswordAndUnknownUserLookTheSame() throws {
        try Harness.with { h in
            try h.register("ada")
            let wrong = try h.call("POST", "/api/auth/login", json: ["username": "ada", "password": "wrong password"])
            let unknown = try h.call("POST", "/api/auth/login", json: ["username": "nobody", "password": "wrong password"])
            #expect(wrong.status == 401 && unknown.status == 401)
            #expect(wrong.errorCode == "invalid_credentials")
            #expect(wrong.body == unknown.body)
            #expect(wrong.header("Set-Cookie") == nil)
            let missing = try h.call("POST", "/api/auth/login", json: ["username": "ada"])
            #expect(missing.status == 400)
            #expect(missing.fields["password"] != nil)
        }
    }

    @Test func disabledUsersCannotLogIn() throws {
        try Harness.with { h in
            let (_, cookie) = try h.register("ada")
            try h.db { try $0.execute("UPDATE users SET is_active = 0") }
            #expect(try h.call("POST", "/api/auth/login", json: ["username": "ada", "password": Harness.password]).status == 401)
            #expect(try h.call("GET", "/api/auth/me", cookie: cookie).status == 401)
        }
    }

    @Test func failedLoginsAreLimitedPerAccount() throws {
        try Harness.with(["LOGIN_FAILURES_PER_ACCOUNT": "3", "LOGIN_FAILURES_PER_ACCOUNT_WINDOW": "600"]) { h in
            try h.register("ada")
            for i in 0..<3 {
                // Different addresses: only the per-account counter grows.
                let r = try h.call("POST", "/api/auth/login", json: ["username": "ada", "password": "wrong password"],
                                   ip: "198.51.100.\(i)")
                #expect(r.status == 401)
            }
            let r = try h.call("POST", "/api/auth/login", json: ["username": "ada", "password": Harness.password],
                               ip: "198.51.100.9")
            #expect(r.status == 429)
            #expect(r.errorCode == "rate_limited")
            let retry = Int(r.header("Retry-After") ?? "") ?? 0
            #expect(retry > 0 && retry <= 600)
            // Another account from the same addresses is unaffected.
            try h.register("grace")
            #expect(try h.call("POST", "/api/auth/login", json: ["username": "grace", "password": Harness.password],
                               ip: "198.51.100.0").status == 200)
            // Unknown names are limited the same way, so the limit reveals nothing.
            for _ in 0..<3 {
                _ = try h.call("POST", "/api/auth/login", json: ["username": "ghost", "password": "wrong password"], ip: "198.51.100.20")
            }
            #expect(try h.call("POST", "/api/auth/login", json: ["username": "ghost", "password": "x"], ip: "198.51.100.21").status == 429)
        }
    }

    @Test func failedLoginsAreLimitedPerAddress() throws {
        try Harness.with(["LOGIN_FAILURES_PER_ADDRESS": "4"]) { h in
            try h.register("ada")
            for i in 0..<4 {
                let r = try h.call("POST", "/api/auth/login", json: ["username": "user\(i)", "password": "wrong password"],
                                   ip: "192.0.2.7")
                #expect(r.status == 401)
            }
            let blocked = try h.call("POST", "/api/auth/login", json: ["username": "ada", "password": Harness.password], ip: "192.0.2.7")
            #expect(blocked.status == 429)
            #expect(blocked.header("Retry-After") != nil)
            #expect(try h.call("POST", "/api/auth/login", json: ["username": "ada", "password": Harness.password], ip: "192.0.2.8")
                .status == 200)
        }
    }

    @Test func logoutEndsTheSessionAndClearsTheCookie() throws {
        try Harness.with { h in
            let (_, cookie) = try h.register("ada")
            let r = try h.call("POST", "/api/auth/logout", cookie: cookie)
            #expect(r.status == 204)
            #expect(r.header("Set-Cookie")?.hasPrefix("session=;") == true)
            #expect(r.header("Set-Cookie")?.contains("Max-Age=0") == true)
            #expect(try h.call("GET", "/api/auth/me", cookie: cookie).status == 401)
            #expect(try h.call("POST", "/api/auth/logout", cookie: cookie).status == 401)
        }
    }

    @Test func meNeedsAValidSession() throws {
        try Harness.with { h in
            var r = try h.call("GET", "/api/auth/me")
            #expect(r.status == 401)
            #expect(r.errorCode == "not_authenticated")
            r = try h.call("GET", "/api/auth/me", cookie: "session=" + SessionCookie.newToken())
            #expect(r.status == 401)
            r = try h.call("GET", "/api/auth/me", cookie: "session=garbage")
            #expect(r.status == 401)
        }
    }

    @Test func oldIterationCountsAreUpgradedAtLogin() throws {
        try Harness.with { h in
            try h.register("ada")
            let old = PasswordHasher(iterations: 500).hash(Harness.password)
            try h.db { try $0.execute("UPDATE users SET password_hash = ?", old) }
            // A reset link issued before the upgrade survives it: the password did not change.
            let token = try h.requestResetToken("ada@example.com")
            _ = try h.login("ada")
            let stored = try h.db { try $0.queryOne("SELECT password_hash FROM users")!.string("password_hash") }
            #expect(stored.hasPrefix("pbkdf2_sha256$1000$"))
            #expect(PasswordHasher(iterations: 1000).verify(Harness.password, encoded: stored))
            _ = try h.login("ada")
            #expect(try h.db { try $0.queryOne("SELECT password_hash FROM users")!.string("password_hash") } == stored)
            let r = try h.call("POST", "/api/auth/password-reset/confirm", json: ["token": token, "new_password": "a new sturdy phrase"])
            #expect(r.status == 204)
        }
    }

    @Test func healthNeedsSQLiteAndRedis() throws {
        try Harness.with { h in
            #expect(try h.call("GET", "/healthz").status == 200)
            h.redisServer.stop()
            let r = try h.call("GET", "/healthz")
            #expect(r.status == 503)
            #expect(r.errorCode == "unavailable")
        }
    }
}
