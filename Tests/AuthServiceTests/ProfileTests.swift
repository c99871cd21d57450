import Crypto
import Foundation
import Testing

@testable import auth_svc
import Runtime

@Suite(.timeLimit(.minutes(1))) struct ProfileTests {
    @Test func updatesDisplayNameEmailAndBio() throws {
        try Harness.with { h in
            let (_, cookie) = try h.register("ada")
            let r = try h.call("PATCH", "/api/auth/me",
                               json: ["display_name": "  Ada Lovelace ", "bio": "Analyst.\nPoet.", "email": "countess@example.com"],
                               cookie: cookie)
            #expect(r.status == 200)
            #expect(r.json["display_name"] as? String == "Ada Lovelace")
            #expect(r.json["bio"] as? String == "Analyst.\nPoet.")
            #expect(r.json["email"] as? String == "countess@example.com")
            // Fields not sent stay as they are.
            let only = try h.call("PATCH", "/api/auth/me", json: ["bio": ""], cookie: cookie)
            #expect(only.json["display_name"] as? String == "Ada Lovelace")
            #expect(only.json["bio"] as? String == "")
            _ = try h.login("countess@example.com")
        }
    }

    @Test func validatesProfileFields() throws {
        try Harness.with { h in
            let (_, cookie) = try h.register("ada")
            try h.register("grace")
            var r = try h.call("PATCH", "/api/auth/me",
                               json: ["display_name": "", "bio": String(repeating: "x", count: 201), "email": "bad"], cookie: cookie)
            #expect(r.status == 400)
            #expect(Set(r.fields.keys) == ["display_name", "bio", "email"])
            r = try h.call("PATCH", "/api/auth/me", json: ["display_name": String(repeating: "x", count: 65)], cookie: cookie)
            #expect(r.fields["display_name"] != nil)
            r = try h.call("PATCH", "/api/auth/me", json: ["email": "GRACE@example.com"], cookie: cookie)
            #expect(r.status == 409)
            #expect(r.errorCode == "email_taken")
            r = try h.call("PATCH", "/api/auth/me", json: ["email": "ADA@example.com"], cookie: cookie)
            #expect(r.status == 200)  // one's own address in another case is fine
            r = try h.call("PATCH", "/api/auth/me", json: ["bio": 7], cookie: cookie)
            #expect(r.status == 400)
            r = try h.call("PATCH", "/api/auth/me", json: ["bio": "x"], cookie: nil)
            #expect(r.status == 401)
            r = try h.call("PATCH", "/api/auth/me", json: ["bio": "x"], cookie: cookie, origin: "http://evil.test")
            #expect(r.status == 403)
        }
    }

    @Test func avatarsAreSniffedStoredByHashAndRemovable() throws {
        try Harness.with { h in
            let (_, cookie) = try h.register("ada")
            for (bytes, ext) in [(Fixtures.png, "png"), (Fixtures.jpeg, "jpg"), (Fixtures.gif, "gif"), (Fixtures.webp, "webp")] {
                // The declared type is ignored; the bytes decide.
                let r = try h.call("PUT", "/api/auth/me/avatar", body: bytes, contentType: "application/octet-stream", cookie: cookie)
                #expect(r.status == 200)
                let name = Hex.encode(Digest.sha256(bytes)) + "." + ext
                #expect(r.json["avatar_url"] as? String == "/media/" + name)
                #expect(FileManager.default.contents(atPath: h.config.mediaDir + "/" + name).map(Array.init) == bytes)
            }
            var r = try h.call("PUT", "/api/auth/me/avatar", body: Array("<svg/>".utf8), contentType: "image/png", cookie: cookie)
            #expect(r.status == 415)
            #expect(r.errorCode == "unsupported_media_type")
            r = try h.call("PUT", "/api/auth/me/avatar", body: Fixtures.png + Array(repeating: 0, count: 2 * 1024 * 1024),
                           contentType: "image/png", cookie: cookie)
            #expect(r.status == 413)
            r = try h.call("PUT", "/api/auth/me/avatar", body: Fixtures.png, contentType: "image/png", cookie: nil)
            #expect(r.status == 401)
            r = try h.call("DELETE", "/api/auth/me/avatar", cookie: cookie)
            #expect(r.status == 200)
            #expect(r.json["avatar_url"] is NSNull)
            #expect(try h.call("GET", "/api/auth/me", cookie: cookie).json["avatar_url"] is NSNull)
        }
    }

    @Test func searchesUsersByPrefix() throws {
        try Harness.with { h in
            let (_, cookie) = try h.register("alice")
            try h.register("alicia")
            try h.register("bob")
            try h.register("a_b")
            try h.register("axb")
            try h.register("zed")
            try h.db { try $0.execute("UPDATE users SET display_name = 'Alfred' WHERE username = 'bob'") }
            try h.db { try $0.execute("UPDATE users SET is_active = 0 WHERE username = 'zed'") }
            try h.db { try $0.execute("UPDATE users SET display_name = 'Élodie' WHERE username = 'axb'") }
            func names(_ q: String) throws -> [String] {
                let r = try h.call("GET", "/api/users?q=" + URLEncoding.encode(q), cookie: cookie)
                #expect(r.status == 200)
                let users = r.json["users"] as? [[String: Any]] ?? []
                #expect(users.allSatisfy { $0["email"] == nil && $0.keys.contains("avatar_url") })
                return users.compactMap { $0["username"] as? String }
            }
            #expect(try names("AL") == ["alice", "alicia", "bob"])  // includes the caller
            #expect(try names("a_") == ["a_b"])  // `_` is literal
            #expect(try names("%") == [])
            #expect(try names("Él") == ["axb"])
            #expect(try names("ÉLODIE") == ["axb"])
            #expect(try names("z") == [])  // inactive
            #expect(try names("") == [])
            #expect(try h.call("GET", "/api/users?q=a").status == 401)
            for i in 0..<22 { try h.db { try $0.execute(
                "INSERT INTO users (username, username_lower, email, email_lower, display_name, password_hash, created_at) VALUES (?, ?, ?, ?, ?, 'x', 0)",
                "many\(i)", "many\(i)", "many\(i)@example.com", "many\(i)@example.com", "Many") } }
            #expect(try names("many").count == 20)
        }
    }
}

/// Percent-encoding for query values in tests.
enum URLEncoding {
    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
    }
}
