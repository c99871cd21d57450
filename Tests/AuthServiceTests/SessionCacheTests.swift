import Foundation
import Testing

@testable import auth_svc

@Suite(.timeLimit(.minutes(1))) struct SessionCacheTests {
    func sessionID(_ h: Harness, _ cookie: String) throws -> Int {
        let sessions = try h.call("GET", "/api/auth/sessions", cookie: cookie).json["sessions"] as? [[String: Any]]
        return try #require(sessions?.first { $0["current"] as? Bool == true }?["id"] as? Int)
    }

    @Test func verifyAnswersFromMemoryAndTheSwitchTurnsItOff() throws {
        for seconds in ["30", "0"] {
            try Harness.with(["SESSION_CACHE_SECONDS": seconds]) { h in
                let (_, cookie) = try h.register("ada")
                #expect(try h.verify("GET", "/api/rooms", cookie: cookie).status == 200)
                // Gone behind the service's back (an operator, another instance): the cache does not know.
                try h.db { try $0.execute("DELETE FROM sessions") }
                #expect(try h.verify("GET", "/api/rooms", cookie: cookie).status == (seconds == "0" ? 401 : 200))
                // The cross-site checks run before the cache is asked.
                #expect(try h.verify("POST", "/api/rooms/1/messages", cookie: cookie, origin: "http://evil.test",
                                     contentType: "application/json").status == 403)
            }
        }
    }

    @Test func everyWayASessionEndsReachesTheCacheAtOnce() throws {
        try Harness.with(["SESSION_CACHE_SECONDS": "60"]) { h in
            let (_, loggingOut) = try h.register("ada")
            let deleted = try h.login("ada"), changing = try h.login("ada"), elsewhere = try h.login("ada")
            for cookie in [loggingOut, deleted, changing, elsewhere] {
                #expect(try h.verify("GET", "/api/rooms", cookie: cookie).status == 200)
            }
            #expect(try h.call("POST", "/api/auth/logout", cookie: loggingOut).status == 204)
            #expect(try h.verify("GET", "/api/rooms", cookie: loggingOut).status == 401)

            let id = try sessionID(h, deleted)
            #expect(try h.call("DELETE", "/api/auth/sessions/\(id)", cookie: changing).status == 204)
            #expect(try h.verify("GET", "/api/rooms", cookie: deleted).status == 401)

            let change = try h.call("POST", "/api/auth/password",
                                    json: ["current_password": Harness.password, "new_password": "a new sturdy phrase"], cookie: changing)
            #expect(change.status == 204)
            #expect(try h.verify("GET", "/api/rooms", cookie: elsewhere).status == 401)
            #expect(try h.verify("GET", "/api/rooms", cookie: changing).status == 200)
        }
    }

    @Test func entriesExpireWithTheirSessionAndRacesWithForgetAreNotStored() {
        let cache = SessionCache(ttl: 60)
        let hash: [UInt8] = [1, 2, 3]
        cache.store(hash, userID: 7, username: "ada", sessionID: 70, expiresAt: 1_000, epoch: cache.epoch)
        #expect(cache.lookup(hash, nowMs: 999)?.userID == 7)
        #expect(cache.lookup(hash, nowMs: 1_000) == nil)  // the session itself expired
        #expect(cache.lookup(hash, nowMs: 0) == nil)  // and the entry went with it

        // A database read that started before a session ended must not be remembered after it.
        let before = cache.epoch
        cache.forget(sessions: [99])
        cache.store(hash, userID: 7, username: "ada", sessionID: 70, expiresAt: 5_000, epoch: before)
        #expect(cache.lookup(hash, nowMs: 0) == nil)
        cache.store(hash, userID: 7, username: "ada", sessionID: 70, expiresAt: 5_000, epoch: cache.epoch)
        #expect(cache.lookup(hash, nowMs: 0)?.sessionID == 70)
        cache.forget(sessions: [70])
        #expect(cache.lookup(hash, nowMs: 0) == nil)

        let off = SessionCache(ttl: 0)
        off.store(hash, userID: 7, username: "ada", sessionID: 70, expiresAt: 5_000, epoch: off.epoch)
        #expect(off.lookup(hash, nowMs: 0) == nil)
    }
}
