import Foundation
import HTTP
import Redis
import Runtime
import SQLite
import TestSupport

@testable import auth_svc

/// One answer from the service under test.
struct Reply {
    var status: Int
    var headers: [(String, String)]
    var body: [UInt8]

    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:]
    }

    var error: [String: Any] { json["error"] as? [String: Any] ?? [:] }
    var errorCode: String? { error["code"] as? String }
    var fields: [String: String] { error["fields"] as? [String: String] ?? [:] }
    var text: String { String(decoding: body, as: UTF8.self) }

    /// `session=<token>` from `Set-Cookie`, as a browser would send it back.
    var sessionCookie: String? {
        guard let set = header("Set-Cookie"), set.hasPrefix("session="), !set.hasPrefix("session=;") else { return nil }
        return String(set.prefix { $0 != ";" })
    }
}

/// The real auth-svc on a free port, with a temp DATA_DIR, a private redis-server, low hashing cost
/// and logs captured in memory. Requests carry what nginx would pass on (Origin, X-Real-IP).
final class Harness: Sendable {
    static let origin = "http://chat.test:8080"
    static let password = "correct horse battery"

    let redisServer: RedisServer
    let dir: TempDir
    let sink = LogSink.memory()
    let config: AuthConfig
    let service: AuthService
    let server: Server
    let redis: RedisClient
    var port: UInt16 { server.port }

    init(_ extra: [String: String] = [:]) throws {
        redisServer = try RedisServer.start()
        dir = TempDir(prefix: "auth-svc-test")
        var env = [
            "LISTEN": "127.0.0.1:0",
            "DATA_DIR": dir.path,
            "REDIS_URL": "redis://127.0.0.1:\(redisServer.port)",
            "PUBLIC_URL": Self.origin,
            "PASSWORD_ITERATIONS": "1000",
            "COMMON_PASSWORDS_FILE": Fixtures.commonPasswordsFile,
            "LOG_LEVEL": "trace",
        ]
        env.merge(extra) { _, new in new }
        config = try AuthConfig(environment: env)
        let log = Log(service: "auth-svc", level: .trace, sink: sink)
        service = try AuthService(config: config, log: log)
        server = try Server(router: service.routes, config: service.serverConfig, log: log)
        try server.start()
        redis = RedisClient(host: "127.0.0.1", port: redisServer.port)
    }

    func stop() {
        server.shutdown()
        server.wait()
        service.close()
        redis.close()
        redisServer.stop()
    }

    /// Runs `body` against a fresh service and always stops it.
    static func with(_ extra: [String: String] = [:], _ body: (Harness) throws -> Void) throws {
        let h = try Harness(extra)
        defer { h.stop() }
        try body(h)
    }

    /// Sends a request. A `json` body gets `Content-Type: application/json`; so do body-less unsafe
    /// requests, as the web client sends them, unless `contentType` says otherwise ("" = none).
    func call(_ method: String, _ target: String, json: [String: Any]? = nil, body: [UInt8]? = nil,
              contentType: String? = nil, cookie: String? = nil, origin: String? = Harness.origin,
              ip: String = "203.0.113.5", headers extra: [(String, String)] = [], timeout: Double = 10) throws -> Reply {
        var headers: [(String, String)] = [("X-Real-IP", ip), ("User-Agent", "AuthServiceTests/1.0")]
        if let origin { headers.append(("Origin", origin)) }
        if let cookie { headers.append(("Cookie", cookie)) }
        var bytes = body ?? []
        if let json { bytes = Array(try JSONSerialization.data(withJSONObject: json)) }
        let unsafe = !["GET", "HEAD"].contains(method)
        let type = contentType ?? ((json != nil || (unsafe && body == nil)) ? "application/json" : nil)
        if let type, !type.isEmpty { headers.append(("Content-Type", type)) }
        headers += extra
        return try send(method, target, headers: headers, body: bytes, timeout: timeout)
    }

    /// What nginx's auth_request sends to verify for an original request.
    func verify(_ method: String, _ uri: String, cookie: String? = nil, origin: String? = Harness.origin,
                contentType: String? = nil, upgrade: Bool = false, body: BodyFraming = .none) throws -> Reply {
        var headers: [(String, String)] = [("X-Original-Method", method), ("X-Original-URI", uri), ("X-Real-IP", "203.0.113.5")]
        switch body {
        case .none: break
        case .length(let n): headers.append(("X-Original-Content-Length", String(n)))
        case .chunked: headers.append(("X-Original-Transfer-Encoding", "chunked"))
        }
        if let origin { headers.append(("Origin", origin)) }
        if let cookie { headers.append(("Cookie", cookie)) }
        if let contentType { headers.append(("Content-Type", contentType)) }
        if upgrade { headers += [("Upgrade", "websocket"), ("Connection", "upgrade")] }
        return try send("GET", "/internal/verify", headers: headers, body: [])
    }

    /// How the request nginx describes in verify carried its body.
    enum BodyFraming { case none, length(Int), chunked }

    @discardableResult
    func register(_ username: String, email: String? = nil, password: String = Harness.password) throws -> (user: [String: Any], cookie: String) {
        let r = try call("POST", "/api/auth/register",
                         json: ["username": username, "email": email ?? "\(username)@example.com", "password": password])
        guard r.status == 201, let cookie = r.sessionCookie else { throw HarnessError("register \(username): \(r.status) \(r.text)") }
        return (r.json, cookie)
    }

    func login(_ username: String, password: String = Harness.password, ip: String = "203.0.113.5") throws -> String {
        let r = try call("POST", "/api/auth/login", json: ["username": username, "password": password], ip: ip)
        guard r.status == 200, let cookie = r.sessionCookie else { throw HarnessError("login \(username): \(r.status) \(r.text)") }
        return cookie
    }

    /// Waits for queued password-reset work, then takes every mail job from `mail:queue`.
    func takeMailJobs() throws -> [[String: Any]] {
        service.resetQueue.sync {}
        var jobs: [[String: Any]] = []
        while let bytes = try redis.command("RPOP", AuthService.mailQueue).bytes {
            jobs.append((try JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] ?? [:])
        }
        return jobs
    }

    func requestResetToken(_ email: String) throws -> String {
        let r = try call("POST", "/api/auth/password-reset", json: ["email": email])
        guard r.status == 202, let token = try takeMailJobs().first?["token"] as? String else {
            throw HarnessError("no reset token for \(email)")
        }
        return token
    }

    /// Direct database access, to age sessions and tokens or inspect what was stored.
    func db<T>(_ body: (Connection) throws -> T) throws -> T { try service.db.write(body) }

    private func send(_ method: String, _ target: String, headers: [(String, String)], body: [UInt8],
                      timeout: Double = 10) throws -> Reply {
        let r = try TestHTTP.request(port, method, target, headers: headers, body: body, timeout: timeout)
        return Reply(status: r.status, headers: r.headers.fields.map { ($0.name, $0.value) }, body: r.body)
    }
}

struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
