import HTTP
import Testing

@testable import auth_svc

@Suite struct RequestGuardTests {
    let guardian = RequestGuard(publicOrigin: "https://chat.example.com")

    func outcome(_ method: String, _ path: String, _ headers: [(String, String)], hasBody: Bool = true) -> String {
        do {
            try guardian.check(method: method, path: path, headers: Headers(headers), hasBody: hasBody)
            return "ok"
        } catch {
            return error.code
        }
    }

    static let origin = ("Origin", "https://chat.example.com")
    static let json = ("Content-Type", "application/json; charset=utf-8")

    @Test func safeMethodsNeedNothing() {
        #expect(outcome("GET", "/api/rooms", []) == "ok")
        #expect(outcome("HEAD", "/api/rooms", [("Origin", "https://evil.example")]) == "ok")
    }

    @Test func unsafeMethodsNeedTheExactOrigin() {
        for method in ["POST", "PATCH", "PUT", "DELETE", "PROPFIND"] {
            #expect(outcome(method, "/api/rooms", [Self.json]) == "bad_origin")
            #expect(outcome(method, "/api/rooms", [("Origin", "https://evil.example"), Self.json]) == "bad_origin")
            #expect(outcome(method, "/api/rooms", [("Origin", "https://chat.example.com/"), Self.json]) == "bad_origin")
            #expect(outcome(method, "/api/rooms", [("Origin", "http://chat.example.com"), Self.json]) == "bad_origin")
            #expect(outcome(method, "/api/rooms", [("Origin", "null"), Self.json]) == "bad_origin")
            #expect(outcome(method, "/api/rooms", [Self.origin, Self.json]) == "ok")
        }
    }

    @Test func webSocketUpgradesNeedTheOrigin() {
        #expect(outcome("GET", "/ws", [("Upgrade", "websocket")]) == "bad_origin")
        #expect(outcome("GET", "/ws", [("Upgrade", "websocket"), ("Origin", "https://evil.example")]) == "bad_origin")
        #expect(outcome("GET", "/ws", [("Upgrade", "websocket"), Self.origin]) == "ok")
    }

    @Test func jsonWritesNeedJSON() {
        #expect(outcome("POST", "/api/rooms/1/messages", [Self.origin]) == "unsupported_media_type")
        #expect(outcome("POST", "/api/rooms/1/messages", [Self.origin, ("Content-Type", "text/plain")]) == "unsupported_media_type")
        #expect(outcome("POST", "/api/rooms/1/messages", [Self.origin, ("Content-Type", "application/x-www-form-urlencoded")])
            == "unsupported_media_type")
        #expect(outcome("DELETE", "/api/rooms/1/members/me", [Self.origin]) == "unsupported_media_type")
        #expect(outcome("POST", "/api/rooms/1/messages", [Self.origin, ("Content-Type", "Application/JSON")]) == "ok")
        // Paths nginx would normalise to an API path are judged as that path.
        #expect(outcome("POST", "//api/rooms/1/messages", [Self.origin, ("Content-Type", "text/plain")]) == "unsupported_media_type")
        #expect(outcome("POST", "/x/../api/rooms/1/messages", [Self.origin]) == "unsupported_media_type")
        #expect(outcome("POST", "/%61pi/rooms/1/messages", [Self.origin]) == "unsupported_media_type")
        #expect(outcome("POST", "/api/rooms/1/messages?x=1", [Self.origin]) == "unsupported_media_type")
    }

    @Test func requestsWithoutABodyNeedNoTypeButStillTheOrigin() {
        #expect(outcome("DELETE", "/api/rooms/1/members/me", [Self.origin], hasBody: false) == "ok")
        #expect(outcome("POST", "/api/auth/logout", [Self.origin, ("Content-Type", "text/plain")], hasBody: false) == "ok")
        #expect(outcome("DELETE", "/api/rooms/1/members/me", [], hasBody: false) == "bad_origin")
        #expect(outcome("POST", "/api/auth/logout", [("Origin", "https://evil.example")], hasBody: false) == "bad_origin")
    }

    @Test func uploadRoutesSendTheirOwnType() {
        let png = ("Content-Type", "image/png")
        #expect(outcome("PUT", "/api/auth/me/avatar", [Self.origin, png]) == "ok")
        #expect(outcome("PUT", "/api/rooms/12/picture", [Self.origin, png]) == "ok")
        #expect(outcome("POST", "/api/rooms/12/images", [Self.origin, png]) == "ok")
        #expect(outcome("POST", "/api/rooms/12/images?x=1", [Self.origin, png]) == "ok")
        // Only those methods on those paths.
        #expect(outcome("DELETE", "/api/auth/me/avatar", [Self.origin]) == "unsupported_media_type")
        #expect(outcome("POST", "/api/rooms/12/picture", [Self.origin, png]) == "unsupported_media_type")
        #expect(outcome("POST", "/api/rooms/x/images", [Self.origin, png]) == "unsupported_media_type")
        #expect(outcome("POST", "/api/rooms/12/images/../messages", [Self.origin, png]) == "unsupported_media_type")
        // Uploads still need the origin.
        #expect(outcome("POST", "/api/rooms/12/images", [png]) == "bad_origin")
    }

    @Test func nonAPIWritesNeedOnlyTheOrigin() {
        #expect(outcome("POST", "/logout-form", [Self.origin]) == "ok")
    }

    @Test func publicOriginOmitsDefaultPorts() throws {
        func origin(_ url: String) throws -> String {
            try AuthConfig(environment: ["PUBLIC_URL": url, "COMMON_PASSWORDS_FILE": Fixtures.commonPasswordsFile]).publicOrigin
        }
        #expect(try origin("https://Chat.Example.com:443/app/") == "https://chat.example.com")
        #expect(try origin("http://127.0.0.1:8080") == "http://127.0.0.1:8080")
        #expect(try origin("http://localhost") == "http://localhost")
    }
}
