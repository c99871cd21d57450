import Crypto
import Foundation
import Testing

@testable import auth_svc

@Suite(.timeLimit(.minutes(1))) struct HashingLoadTests {
    /// A burst of logins holds at most HASH_QUEUE_LIMIT workers; the rest are shed with 503, and
    /// cheap requests keep being answered meanwhile.
    @Test func loginBurstIsShedAndOtherRequestsStillAnswer() throws {
        try Harness.with(["PASSWORD_ITERATIONS": "1000", "HASH_CONCURRENCY": "1", "HASH_QUEUE_LIMIT": "2", "WORKERS": "4"]) { h in
            let (_, cookie) = try h.register("ada")
            // Make each login's verify expensive (a stored hash with many iterations).
            let slow = PasswordHasherFixture.hash(Harness.password, iterations: 1_000_000)
            try h.db { try $0.execute("UPDATE users SET password_hash = ?", slow) }

            let statuses = StatusBox()
            let burst = 6
            let done = DispatchGroup()
            for i in 0..<burst {
                done.enter()
                let thread = Thread {
                    let r = try? h.call("POST", "/api/auth/login", json: ["username": "ada", "password": "wrong \(i)"],
                                        ip: "198.51.100.\(i)", timeout: 50)
                    statuses.append(r?.status ?? -1)
                    done.leave()
                }
                thread.start()
            }
            // While the burst is in flight, /me and verify are served.
            for _ in 0..<5 {
                #expect(try h.call("GET", "/api/auth/me", cookie: cookie).status == 200)
                #expect(try h.verify("GET", "/api/rooms", cookie: cookie).status == 200)
            }
            done.wait()
            let all = statuses.values
            #expect(all.count == burst)
            #expect(all.allSatisfy { $0 == 401 || $0 == 503 }, "\(all)")
            #expect(all.contains(503), "\(all)")
            #expect(all.contains(401), "\(all)")
        }
    }
}

enum PasswordHasherFixture {
    static func hash(_ password: String, iterations: Int) -> String {
        Crypto.PasswordHasher(iterations: iterations).hash(password)
    }
}

final class StatusBox: @unchecked Sendable {
    // Safe: every access holds `lock`.
    private let lock = NSLock()
    private var list: [Int] = []
    func append(_ v: Int) { lock.withLock { list.append(v) } }
    var values: [Int] { lock.withLock { list } }
}
