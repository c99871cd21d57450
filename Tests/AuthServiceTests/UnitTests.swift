import Dispatch
import Foundation
import HTTP
import Runtime
import Testing

@testable import auth_svc

@Suite struct SessionCookieTests {
    @Test func tokensAre256BitBase64URL() {
        let a = SessionCookie.newToken(), b = SessionCookie.newToken()
        #expect(a.utf8.count == 43 && a != b)
        #expect(SessionCookie.hash(a).count == 32)
    }

    @Test func findsTheSessionAmongOtherCookies() {
        let token = SessionCookie.newToken()
        #expect(SessionCookie.token(in: Headers([("Cookie", "theme=dark; session=\(token); x=1")])) == token)
        #expect(SessionCookie.token(in: Headers([("Cookie", "a=b"), ("Cookie", "session=\(token)")])) == token)
        #expect(SessionCookie.token(in: Headers([("Cookie", "mysession=\(token)")])) == nil)
        #expect(SessionCookie.token(in: Headers([("Cookie", "session=short")])) == nil)
        #expect(SessionCookie.token(in: Headers([("Cookie", "session=" + String(repeating: "%", count: 43))])) == nil)
        #expect(SessionCookie.token(in: Headers()) == nil)
    }

    @Test func cookieAttributes() {
        #expect(SessionCookie.set("T", secure: false, maxAge: 1_209_600) == "session=T; HttpOnly; SameSite=Lax; Path=/; Max-Age=1209600")
        #expect(SessionCookie.set("T", secure: true, maxAge: 5).hasSuffix("; Secure"))
        #expect(SessionCookie.clear(secure: false) == "session=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0")
    }
}

@Suite struct AvatarTests {
    @Test func detectsTypesFromBytes() {
        #expect(Avatar.detect(Fixtures.png) == .png)
        #expect(Avatar.detect(Fixtures.jpeg) == .jpg)
        #expect(Avatar.detect(Fixtures.gif) == .gif)
        #expect(Avatar.detect(Fixtures.webp) == .webp)
        #expect(Avatar.detect(Array("<svg xmlns='http://www.w3.org/2000/svg'/>".utf8)) == nil)
        #expect(Avatar.detect(Array("RIFF0000WAVE".utf8)) == nil)
        #expect(Avatar.detect([]) == nil)
        #expect(Avatar.detect([0x89, 0x50]) == nil)
    }

    @Test func storesByContentHash() throws {
        let dir = NSTemporaryDirectory() + "avatar-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let name = try Avatar.store(Fixtures.png, type: .png, in: dir)
        #expect(name.hasSuffix(".png") && name.count == 64 + 4)
        #expect(try Avatar.store(Fixtures.png, type: .png, in: dir) == name)
        #expect(FileManager.default.contents(atPath: dir + "/" + name).map(Array.init) == Fixtures.png)
        // No temp files left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == [name])
    }
}

@Suite struct SearchEscapingTests {
    @Test func escapesLikeWildcards() {
        #expect(AuthService.escapeLike("a_b%c\\d") == "a\\_b\\%c\\\\d")
        #expect(AuthService.escapeLike("plain") == "plain")
    }
}

@Suite struct HashGateTests {
    @Test(.timeLimit(.minutes(1))) func shedsRequestsBeyondTheQueueLimit() throws {
        let gate = HashGate(concurrency: 1, queueLimit: 2)
        let inside = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0), done = DispatchGroup()
        done.enter()
        DispatchQueue.global().async {
            _ = try? gate.run {
                inside.signal()
                release.wait()  // holds the only hashing slot
            }
            done.leave()
        }
        inside.wait()
        done.enter()
        DispatchQueue.global().async {
            _ = try? gate.run {}  // admitted, waits for the slot
            done.leave()
        }
        while gate.inFlight < 2 { usleep(1000) }
        #expect(throws: HTTPError.self) { try gate.run {} }
        do {
            try gate.run {}
        } catch let error as HTTPError {
            #expect(error.status.code == 503)
            #expect(error.headers.contains { $0.0 == "Retry-After" })
        }
        release.signal()
        done.wait()
        #expect(gate.inFlight == 0)
        #expect(try gate.run { 42 } == 42)
    }
}

@Suite struct AuthConfigTests {
    @Test func defaults() throws {
        let config = try AuthConfig(environment: ["COMMON_PASSWORDS_FILE": Fixtures.commonPasswordsFile])
        #expect(config.listen?.description == "127.0.0.1:8081")
        #expect(config.passwordIterations == 600_000)
        #expect(config.redis.port == 6379)
        #expect(config.secureCookies == false)
        #expect(config.hashQueueLimit < config.workers)
    }

    @Test func listsEveryProblem() {
        do {
            _ = try AuthConfig(environment: [
                "LISTEN": "nowhere", "REDIS_URL": "http://x", "PUBLIC_URL": "ftp://x", "PASSWORD_ITERATIONS": "0",
                "LOGIN_FAILURES_PER_ACCOUNT": "many", "COMMON_PASSWORDS_FILE": "/nonexistent/list.txt",
            ])
            Issue.record("expected a ConfigError")
        } catch let error as ConfigError {
            #expect(error.problems.count == 6)
            for key in ["LISTEN", "REDIS_URL", "PUBLIC_URL", "PASSWORD_ITERATIONS", "LOGIN_FAILURES_PER_ACCOUNT", "COMMON_PASSWORDS_FILE"] {
                #expect(error.problems.contains { $0.contains(key) }, "\(key)")
            }
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
