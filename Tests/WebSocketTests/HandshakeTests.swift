import HTTP
import Testing
@testable import WebSocket

@Suite struct HandshakeTests {
    func upgradeRequest(_ extra: [(String, String)] = [], dropping: String? = nil, method: String = "GET") -> Request {
        var fields: [(String, String)] = [
            ("Host", "127.0.0.1:8080"), ("Upgrade", "websocket"), ("Connection", "keep-alive, Upgrade"),
            ("Sec-WebSocket-Version", "13"), ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
        ]
        fields.removeAll { $0.0 == dropping }
        for (name, value) in extra {
            fields.removeAll { $0.0 == name }
            fields.append((name, value))
        }
        return Request(method: method, target: "/ws", headers: Headers(fields))
    }

    func status(_ request: Request, allowedOrigins: [String]? = nil) -> Int {
        do {
            _ = try Handshake.validate(request, allowedOrigins: allowedOrigins)
            return 101
        } catch {
            return error.status.code
        }
    }

    @Test func acceptKeyMatchesRFC6455Vector() {
        #expect(Handshake.makeAcceptKey(for: "dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
    }

    @Test func acceptsAValidUpgradeWith101() throws {
        let response = try Handshake.accept(upgradeRequest()) { fatalError("not called in this test") }
        #expect(response.status.code == 101)
        #expect(response.headers["Sec-WebSocket-Accept"] == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
        #expect(response.headers["Upgrade"] == "websocket")
        #expect(response.headers["Connection"] == "Upgrade")
        #expect(response.upgrade != nil)
    }

    @Test func headerValuesAreCaseInsensitive() {
        #expect(status(upgradeRequest([("Upgrade", "WebSocket"), ("Connection", "UPGRADE")])) == 101)
    }

    @Test func wrongVersionGets426WithSupportedVersion() {
        do {
            _ = try Handshake.validate(upgradeRequest([("Sec-WebSocket-Version", "8")]))
            Issue.record("accepted version 8")
        } catch {
            #expect(error.status.code == 426)
            #expect(error.headers.contains { $0.0 == "Sec-WebSocket-Version" && $0.1 == "13" })
        }
        #expect(status(upgradeRequest(dropping: "Sec-WebSocket-Version")) == 426)
    }

    @Test func plainGetIsNotAnUpgrade() {
        #expect(status(upgradeRequest(dropping: "Upgrade")) == 426)
        #expect(status(upgradeRequest([("Connection", "keep-alive")])) == 426)
        #expect(status(upgradeRequest([("Upgrade", "h2c")])) == 426)
    }

    @Test func onlyGet() {
        #expect(status(upgradeRequest(method: "POST")) == 405)
    }

    @Test func badKeysGet400() {
        #expect(status(upgradeRequest(dropping: "Sec-WebSocket-Key")) == 400)
        #expect(status(upgradeRequest([("Sec-WebSocket-Key", "not base64!")])) == 400)
        #expect(status(upgradeRequest([("Sec-WebSocket-Key", "dG9vIHNob3J0")])) == 400)  // 9 bytes
        #expect(status(upgradeRequest(dropping: "Host")) == 400)
    }

    @Test func foreignOriginGets403() {
        let allowed = ["http://127.0.0.1:8080"]
        #expect(status(upgradeRequest([("Origin", "http://127.0.0.1:8080")]), allowedOrigins: allowed) == 101)
        #expect(status(upgradeRequest([("Origin", "https://evil.example")]), allowedOrigins: allowed) == 403)
        #expect(status(upgradeRequest(), allowedOrigins: allowed) == 101)  // not a browser
    }
}
