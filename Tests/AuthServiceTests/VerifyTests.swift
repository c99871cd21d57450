import Foundation
import Testing

@testable import auth_svc

@Suite(.timeLimit(.minutes(1))) struct VerifyTests {
    @Test func answersWithTheUserForAValidSession() throws {
        try Harness.with { h in
            let (user, cookie) = try h.register("ada")
            let r = try h.verify("GET", "/api/rooms", cookie: cookie, origin: nil)
            #expect(r.status == 200)
            #expect(r.header("X-User-Id") == "\(user["id"] as! Int)")
            #expect(r.header("X-Username") == "ada")
        }
    }

    @Test func rejectsMissingAndUnknownSessionsWithJSON() throws {
        try Harness.with { h in
            for cookie in [nil, "session=" + SessionCookie.newToken(), "other=1"] as [String?] {
                let r = try h.verify("GET", "/api/rooms", cookie: cookie)
                #expect(r.status == 401)
                #expect(r.errorCode == "not_authenticated")
                #expect(r.header("X-User-Id") == nil)
            }
        }
    }

    /// method, URI, origin, content type, upgrade → expected status. Unsafe methods carry a body
    /// (`Content-Length: 2`); `bodylessWritesNeedNoType` covers those without one.
    static let matrix: [(String, String, String?, String?, Bool, Int)] = [
        ("GET", "/api/rooms", nil, nil, false, 200),
        ("GET", "/api/rooms?x=1", "http://evil.test", nil, false, 200),
        ("POST", "/api/rooms/1/messages", Harness.origin, "application/json", false, 200),
        ("POST", "/api/rooms/1/messages", nil, "application/json", false, 403),
        ("POST", "/api/rooms/1/messages", "http://evil.test", "application/json", false, 403),
        ("POST", "/api/rooms/1/messages", "http://chat.test:8081", "application/json", false, 403),
        ("PATCH", "/api/rooms/1", "null", "application/json", false, 403),
        ("POST", "/api/rooms/1/messages", Harness.origin, nil, false, 415),
        ("POST", "/api/rooms/1/messages", Harness.origin, "text/plain", false, 415),
        ("PUT", "/api/rooms/1/picture", Harness.origin, "multipart/form-data; boundary=x", false, 200),
        ("POST", "/api/rooms/1/images", Harness.origin, "image/png", false, 200),
        ("POST", "/api/rooms/1/images", "http://evil.test", "image/png", false, 403),
        ("PUT", "/api/auth/me/avatar", Harness.origin, "image/webp", false, 200),
        ("DELETE", "/api/rooms/1/members/me", Harness.origin, "application/json", false, 200),
        ("POST", "//api/rooms/1/messages", Harness.origin, "text/plain", false, 415),
        ("GET", "/ws", nil, nil, true, 403),
        ("GET", "/ws", "http://evil.test", nil, true, 403),
        ("GET", "/ws", Harness.origin, nil, true, 200),
    ]

    @Test func originAndContentTypeMatrix() throws {
        try Harness.with { h in
            let (_, cookie) = try h.register("ada")
            for (method, uri, origin, type, upgrade, expected) in Self.matrix {
                let body: Harness.BodyFraming = ["GET", "HEAD"].contains(method) ? .none : .length(2)
                let r = try h.verify(method, uri, cookie: cookie, origin: origin, contentType: type, upgrade: upgrade, body: body)
                #expect(r.status == expected, "\(method) \(uri) origin=\(origin ?? "-") type=\(type ?? "-") upgrade=\(upgrade)")
                switch expected {
                case 403:
                    #expect(r.errorCode == "bad_origin")
                    #expect(r.header("X-Auth-Error") == "bad_origin")
                case 415:
                    #expect(r.errorCode == "unsupported_media_type")
                    #expect(r.header("X-Auth-Error") == "unsupported_media_type")
                default:
                    #expect(r.header("X-User-Id") != nil)
                    #expect(Int(r.header("X-Session-Id") ?? "") != nil)
                }
            }
        }
    }

    @Test func bodylessWritesNeedNoType() throws {
        try Harness.with { h in
            let (_, cookie) = try h.register("ada")
            let leave = { (body: Harness.BodyFraming, origin: String?) in
                try h.verify("DELETE", "/api/rooms/1/members/me", cookie: cookie, origin: origin, body: body)
            }
            #expect(try leave(.none, Harness.origin).status == 200)
            #expect(try leave(.length(0), Harness.origin).status == 200)
            #expect(try leave(.length(5), Harness.origin).status == 415)
            #expect(try leave(.chunked, Harness.origin).status == 415)
            #expect(try leave(.none, nil).status == 403)
            #expect(try leave(.none, "http://evil.test").status == 403)
        }
    }

    @Test func badOriginIsRejectedEvenWithoutASession() throws {
        try Harness.with { h in
            let r = try h.verify("POST", "/api/rooms", cookie: nil, origin: "http://evil.test", contentType: "application/json")
            #expect(r.status == 403)
        }
    }
}

@Suite(.timeLimit(.minutes(1))) struct SessionsTests {
    @Test func sessionsSlideAtMostOnceAMinute() throws {
        // verify slides a session when it reads it from the database; with its cache on that is at
        // most every SESSION_CACHE_SECONDS, so this test reads the database every time.
        try Harness.with(["SESSION_CACHE_SECONDS": "0"]) { h in
            let (_, cookie) = try h.register("ada")
            // Fresh session: nothing to refresh.
            var r = try h.call("GET", "/api/auth/me", cookie: cookie)
            #expect(r.status == 200)
            #expect(r.header("Set-Cookie") == nil)
            let before = try h.db { try $0.queryOne("SELECT last_seen_at, expires_at FROM sessions")! }
            #expect(try h.verify("GET", "/api/rooms", cookie: cookie).status == 200)
            let same = try h.db { try $0.queryOne("SELECT last_seen_at FROM sessions")!.int("last_seen_at") }
            #expect(same == before.int("last_seen_at"))

            // Two minutes later (aged in the database), the next request slides the session.
            let aged = before.int("last_seen_at") - 120_000
            try h.db { try $0.execute("UPDATE sessions SET last_seen_at = ?, expires_at = ?", aged, aged + 60_000_000) }
            r = try h.call("GET", "/api/auth/me", cookie: cookie)
            #expect(r.status == 200)
            #expect(r.header("Set-Cookie")?.contains("Max-Age=1209600") == true)
            #expect(r.sessionCookie == cookie)
            let after = try h.db { try $0.queryOne("SELECT last_seen_at, expires_at FROM sessions")! }
            #expect(after.int("last_seen_at") >= before.int("last_seen_at"))
            #expect(after.int("expires_at") - after.int("last_seen_at") == 14 * 24 * 3600 * 1000)

            // verify slides too.
            try h.db { try $0.execute("UPDATE sessions SET last_seen_at = ?", aged) }
            #expect(try h.verify("GET", "/api/rooms", cookie: cookie).status == 200)
            #expect(try h.db { try $0.queryOne("SELECT last_seen_at FROM sessions")!.int("last_seen_at") } > aged)
        }
    }

    @Test func expiredSessionsAreRejected() throws {
        try Harness.with { h in
            let (_, cookie) = try h.register("ada")
            try h.db { try $0.execute("UPDATE sessions SET expires_at = 1") }
            #expect(try h.call("GET", "/api/auth/me", cookie: cookie).status == 401)
            #expect(try h.verify("GET", "/api/rooms", cookie: cookie).status == 401)
        }
    }

    @Test func listsAndEndsOwnSessionsOnly() throws {
        try Harness.with { h in
            let (_, first) = try h.register("ada")
            let second = try h.login("ada")
            let (_, other) = try h.register("grace")
            let r = try h.call("GET", "/api/auth/sessions", cookie: first)
            #expect(r.status == 200)
            let sessions = try #require(r.json["sessions"] as? [[String: Any]])
            #expect(sessions.count == 2)
            #expect(sessions.filter { $0["current"] as? Bool == true }.count == 1)
            #expect(sessions.allSatisfy { $0["user_agent"] as? String == "AuthServiceTests/1.0" })
            #expect(sessions.allSatisfy { ($0["created_at"] as? String)?.hasSuffix("Z") == true })
            #expect(sessions.allSatisfy { $0["last_seen_at"] is String })
            let secondID = try #require(sessions.first { $0["current"] as? Bool == false }?["id"] as? Int)

            let graceSessions = try h.call("GET", "/api/auth/sessions", cookie: other).json["sessions"] as? [[String: Any]]
            let graceID = try #require(graceSessions?.first?["id"] as? Int)
            var d = try h.call("DELETE", "/api/auth/sessions/\(graceID)", cookie: first)
            #expect(d.status == 404)
            #expect(try h.call("GET", "/api/auth/me", cookie: other).status == 200)
            #expect(try h.call("DELETE", "/api/auth/sessions/abc", cookie: first).status == 404)
            #expect(try h.call("DELETE", "/api/auth/sessions/999999", cookie: first).status == 404)

            d = try h.call("DELETE", "/api/auth/sessions/\(secondID)", cookie: first)
            #expect(d.status == 204)
            #expect(try h.call("GET", "/api/auth/me", cookie: second).status == 401)
            #expect(try h.call("GET", "/api/auth/me", cookie: first).status == 200)
            #expect(try h.call("GET", "/api/auth/sessions", cookie: nil).status == 401)
        }
    }

    @Test func passwordChangeEndsOtherSessions() throws {
        try Harness.with { h in
            let (_, here) = try h.register("ada")
            let elsewhere = try h.login("ada")
            var r = try h.call("POST", "/api/auth/password", json: ["current_password": "wrong one", "new_password": "a new sturdy phrase"],
                               cookie: here)
            #expect(r.status == 400)
            #expect(r.fields["current_password"] != nil)
            r = try h.call("POST", "/api/auth/password", json: ["current_password": Harness.password, "new_password": "12345678"],
                           cookie: here)
            #expect(r.status == 400)
            #expect(r.fields["new_password"] != nil)
            r = try h.call("POST", "/api/auth/password", json: ["current_password": Harness.password, "new_password": "a new sturdy phrase"],
                           cookie: here)
            #expect(r.status == 204)
            #expect(try h.call("GET", "/api/auth/me", cookie: here).status == 200)
            #expect(try h.call("GET", "/api/auth/me", cookie: elsewhere).status == 401)
            #expect(try h.call("POST", "/api/auth/login", json: ["username": "ada", "password": Harness.password]).status == 401)
            _ = try h.login("ada", password: "a new sturdy phrase")
            #expect(try h.call("POST", "/api/auth/password", json: ["current_password": "x", "new_password": "y"]).status == 401)
        }
    }
}
