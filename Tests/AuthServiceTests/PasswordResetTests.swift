import Crypto
import Foundation
import Testing

@testable import auth_svc

@Suite(.timeLimit(.minutes(1))) struct PasswordResetTests {
    static let newPassword = "a new sturdy phrase"

    @Test func sameAnswerWhetherOrNotTheAddressExists() throws {
        try Harness.with { h in
            try h.register("ada")
            let known = try h.call("POST", "/api/auth/password-reset", json: ["email": "ADA@example.com"])
            let unknown = try h.call("POST", "/api/auth/password-reset", json: ["email": "nobody@example.com"])
            #expect(known.status == 202 && unknown.status == 202)
            #expect(known.body == unknown.body)
            #expect(known.header("Content-Type") == unknown.header("Content-Type"))
            // Only the existing account gets a mail job.
            let jobs = try h.takeMailJobs()
            #expect(jobs.count == 1)
            let job = try #require(jobs.first)
            #expect(job["kind"] as? String == "password_reset")
            #expect(job["to"] as? String == "ada@example.com")
            #expect(job["username"] as? String == "ada")
            #expect(job["attempts"] as? Int == 0)
            #expect((job["id"] as? String)?.isEmpty == false)
            let token = try #require(job["token"] as? String)
            #expect(token.utf8.count == 43)
            // Stored hashed, valid one hour.
            let row = try h.db { try $0.queryOne("SELECT token_hash, created_at, expires_at FROM password_resets")! }
            #expect(row.blob("token_hash") == Digest.sha256(Array(token.utf8)))
            #expect(row.int("expires_at") - row.int("created_at") == 3_600_000)
        }
    }

    @Test func badEmailsAreRejected() throws {
        try Harness.with { h in
            var r = try h.call("POST", "/api/auth/password-reset", json: ["email": "not an email"])
            #expect(r.status == 400)
            #expect(r.fields["email"] != nil)
            r = try h.call("POST", "/api/auth/password-reset", json: [:])
            #expect(r.status == 400)
        }
    }

    @Test func confirmSetsThePasswordEndsAllSessionsAndIsSingleUse() throws {
        try Harness.with { h in
            let (_, first) = try h.register("ada")
            let second = try h.login("ada")
            let token = try h.requestResetToken("ada@example.com")
            // A weak password is refused and the token stays usable.
            var r = try h.call("POST", "/api/auth/password-reset/confirm", json: ["token": token, "new_password": "ada@example.com1"])
            #expect(r.status == 400)
            #expect(r.fields["new_password"] != nil)
            r = try h.call("POST", "/api/auth/password-reset/confirm", json: ["token": token, "new_password": Self.newPassword])
            #expect(r.status == 204)
            #expect(try h.call("GET", "/api/auth/me", cookie: first).status == 401)
            #expect(try h.call("GET", "/api/auth/me", cookie: second).status == 401)
            _ = try h.login("ada", password: Self.newPassword)
            r = try h.call("POST", "/api/auth/password-reset/confirm", json: ["token": token, "new_password": "yet another phrase"])
            #expect(r.status == 400)
            #expect(r.errorCode == "invalid_token")
        }
    }

    @Test func expiredTokensAreInvalid() throws {
        try Harness.with { h in
            try h.register("ada")
            let token = try h.requestResetToken("ada@example.com")
            try h.db { try $0.execute("UPDATE password_resets SET expires_at = 1") }
            let r = try h.call("POST", "/api/auth/password-reset/confirm", json: ["token": token, "new_password": Self.newPassword])
            #expect(r.status == 400)
            #expect(r.errorCode == "invalid_token")
        }
    }

    @Test func tokensDieWhenThePasswordChanges() throws {
        try Harness.with { h in
            let (_, cookie) = try h.register("ada")
            let token = try h.requestResetToken("ada@example.com")
            let change = try h.call("POST", "/api/auth/password",
                                    json: ["current_password": Harness.password, "new_password": "something else entirely"], cookie: cookie)
            #expect(change.status == 204)
            var r = try h.call("POST", "/api/auth/password-reset/confirm", json: ["token": token, "new_password": Self.newPassword])
            #expect(r.status == 400)
            #expect(r.errorCode == "invalid_token")

            // And by another reset: the second token's use kills the first.
            let a = try h.requestResetToken("ada@example.com")
            let b = try h.requestResetToken("ada@example.com")
            r = try h.call("POST", "/api/auth/password-reset/confirm", json: ["token": b, "new_password": Self.newPassword])
            #expect(r.status == 204)
            r = try h.call("POST", "/api/auth/password-reset/confirm", json: ["token": a, "new_password": "yet another phrase"])
            #expect(r.errorCode == "invalid_token")
        }
    }

    @Test func unknownTokensAreInvalid() throws {
        try Harness.with { h in
            for token in [SecureRandom.token(), "", String(repeating: "x", count: 500)] {
                let r = try h.call("POST", "/api/auth/password-reset/confirm", json: ["token": token, "new_password": Self.newPassword])
                #expect(r.status == 400)
                #expect(r.errorCode == "invalid_token")
            }
            let r = try h.call("POST", "/api/auth/password-reset/confirm", json: ["token": "x"])
            #expect(r.status == 400)
            #expect(r.fields["new_password"] != nil)
        }
    }

    @Test func requestsAreLimitedPerEmail() throws {
        try Harness.with(["RESET_REQUESTS_PER_EMAIL": "2"]) { h in
            for _ in 0..<2 {
                #expect(try h.call("POST", "/api/auth/password-reset", json: ["email": "who@example.com"]).status == 202)
            }
            let r = try h.call("POST", "/api/auth/password-reset", json: ["email": "Who@Example.com"], ip: "198.51.100.77")
            #expect(r.status == 429)
            let retry = Int(r.header("Retry-After") ?? "") ?? 0
            #expect(retry > 0 && retry <= 3600)
            #expect(try h.call("POST", "/api/auth/password-reset", json: ["email": "other@example.com"]).status == 202)
        }
    }
}
