import Foundation
import HTTP
import Runtime
import SQLite
import TestSupport

@testable import room_svc

/// The real room-svc, in process on a free port, with a temp DATA_DIR, a private redis-server, and
/// auth-svc's `users` table created as TEAM documents it (room-svc only reads it).
final class RoomHarness: @unchecked Sendable {
    // @unchecked Sendable: every stored property is set once in init; `Database`, `Server`,
    // `RoomService` are Sendable; `TempDir` and `RedisServer` are only stopped in `stop()`.
    let dir: TempDir
    let redisServer: RedisServer
    let service: RoomService
    let server: Server
    let users: Database
    let logSink = LogSink.memory()
    var port: UInt16 { server.port }

    init(environment extra: [String: String] = [:]) throws {
        dir = TempDir(prefix: "room-test")
        redisServer = try RedisServer.start()
        users = try Database(path: dir.path + "/chat.db", readers: 1)
        try users.write { conn in try conn.executeScript(Self.usersTable) }
        var environment = ["DATA_DIR": dir.path, "REDIS_URL": "redis://127.0.0.1:\(redisServer.port)", "LISTEN": "127.0.0.1:0"]
        environment.merge(extra) { _, new in new }
        let config = try RoomConfig(environment: environment)
        let log = Log(service: "room-svc", level: .debug, sink: logSink)
        service = try RoomService(config: config, log: log)
        server = try Server(router: service.routes, config: ServerConfig(listen: config.listen, loops: 1, workers: 32), log: log)
        try server.start()
    }

    func stop() {
        if ProcessInfo.processInfo.environment["ROOM_TEST_LOG"] != nil { for line in logSink.captured { print(line) } }
        server.shutdown()
        server.wait()
        service.shutdown()
        users.close()
        redisServer.stop()
    }

    /// Runs `body` with a started harness and always stops it.
    static func with(_ environment: [String: String] = [:], _ body: (RoomHarness) throws -> Void) throws {
        let h = try RoomHarness(environment: environment)
        defer { h.stop() }
        try body(h)
    }

    /// auth-svc's users table, as TEAM.md describes it.
    static let usersTable = """
        CREATE TABLE IF NOT EXISTS users (
            id INTEGER PRIMARY KEY, username TEXT, username_lower TEXT UNIQUE, email TEXT, email_lower TEXT UNIQUE,
            display_name TEXT, bio TEXT, avatar TEXT NULL, password_hash TEXT, is_admin INT, is_active INT, created_at INT)
        """

    /// Inserts a user (as auth-svc would) and returns its id.
    @discardableResult
    func makeUser(_ username: String, displayName: String? = nil, avatar: String? = nil, active: Bool = true) throws -> Int {
        try users.write { conn in
            try conn.execute("""
                INSERT INTO users (username, username_lower, email, email_lower, display_name, bio, avatar, password_hash,
                                   is_admin, is_active, created_at)
                VALUES (?, ?, ?, ?, ?, '', ?, 'x', 0, ?, 0)
                """, username, username.lowercased(), "\(username)@example.com", "\(username)@example.com".lowercased(),
                displayName ?? username.capitalized, avatar, active)
            return conn.lastInsertRowID
        }
    }

    /// A request as nginx forwards it after auth_request: with `X-User-Id` / `X-Username` (nil: none).
    func call(_ user: Int?, _ method: String, _ path: String, json: Any? = nil, body: [UInt8]? = nil,
              headers: [(String, String)] = []) throws -> TestResponse {
        var all = headers
        if let user { all += [("X-User-Id", String(user)), ("X-Username", "user\(user)")] }
        return try TestHTTP.request(port, method, path, headers: all, json: json, body: body)
    }

    // Shorthands for the common calls.

    func createPrivate(_ user: Int, with username: String) throws -> TestResponse {
        try call(user, "POST", "/api/rooms", json: ["kind": "private", "username": username])
    }

    func createGroup(_ user: Int, _ name: String = "Team", members: [String] = []) throws -> Int {
        let r = try call(user, "POST", "/api/rooms", json: ["kind": "group", "name": name, "members": members])
        guard r.status == 201, let id = r.object["id"] as? Int else { throw HarnessError("group not created: \(r.status) \(r.text)") }
        return id
    }

    @discardableResult
    func send(_ user: Int, _ room: Int, _ text: String, clientID: String? = nil) throws -> TestResponse {
        var json: [String: Any] = ["body": text]
        if let clientID { json["client_id"] = clientID }
        return try call(user, "POST", "/api/rooms/\(room)/messages", json: json)
    }

    @discardableResult
    func sendID(_ user: Int, _ room: Int, _ text: String) throws -> Int {
        let r = try send(user, room, text)
        guard r.status == 201, let id = r.object["id"] as? Int else { throw HarnessError("send failed: \(r.status) \(r.text)") }
        return id
    }

    func messages(_ user: Int, _ room: Int, _ query: String = "") throws -> (ids: [Int], hasMore: Bool, status: Int) {
        let r = try call(user, "GET", "/api/rooms/\(room)/messages" + query)
        let list = r.object["messages"] as? [[String: Any]] ?? []
        return (list.compactMap { $0["id"] as? Int }, r.object["has_more"] as? Bool ?? false, r.status)
    }

    func rooms(_ user: Int) throws -> [[String: Any]] {
        try call(user, "GET", "/api/rooms").object["rooms"] as? [[String: Any]] ?? []
    }

    func room(_ user: Int, _ id: Int) throws -> [String: Any]? {
        try rooms(user).first { $0["id"] as? Int == id }
    }
}

struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
