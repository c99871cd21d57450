import Foundation
import Synchronization
import Testing
@testable import SQLite

@Suite(.timeLimit(.minutes(1)))
struct MigrationTests {
    static let auth = [
        Migration(1, "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL)"),
        Migration(2, """
            ALTER TABLE users ADD COLUMN email TEXT;
            CREATE UNIQUE INDEX users_email ON users(email);
            """),
    ]
    static let room = [
        Migration(1, "CREATE TABLE rooms (id INTEGER PRIMARY KEY, owner_id INTEGER NOT NULL REFERENCES users(id))"),
    ]

    @Test func appliesEachOwnersMigrationsSeparately() throws {
        try withDatabase { db, _ throws in
            try db.migrate(owner: "auth", Self.auth)
            try db.migrate(owner: "room", Self.room)
            #expect(try db.schemaVersion(owner: "auth") == 2)
            #expect(try db.schemaVersion(owner: "room") == 1)
            #expect(try db.schemaVersion(owner: "other") == 0)
            let recorded = try db.read { try $0.query("SELECT owner, version, applied_at FROM schema_migrations ORDER BY owner, version") }
            #expect(recorded.map { "\($0.string("owner")):\($0.int("version"))" } == ["auth:1", "auth:2", "room:1"])
            #expect(recorded.allSatisfy { $0.int("applied_at") > 1_700_000_000_000 })
            try db.write { try $0.execute("INSERT INTO users(name, email) VALUES ('ada', 'a@x')") }
        }
    }

    @Test func rerunIsIdempotentAndAddsOnlyNewMigrations() throws {
        try withDatabase { db, _ throws in
            try db.migrate(owner: "auth", Array(Self.auth.prefix(1)))
            try db.migrate(owner: "auth", Array(Self.auth.prefix(1)))
            #expect(try db.schemaVersion(owner: "auth") == 1)
            try db.migrate(owner: "auth", Self.auth)
            try db.migrate(owner: "auth", Self.auth)
            #expect(try db.schemaVersion(owner: "auth") == 2)
            #expect(try db.read { try $0.queryOne("SELECT COUNT(*) AS n FROM schema_migrations") }?.int("n") == 2)
        }
    }

    @Test func refusesDatabaseNewerThanTheCode() throws {
        try withDatabase { db, _ throws in
            try db.migrate(owner: "auth", Self.auth)
            let error = #expect(throws: MigrationError.self) { try db.migrate(owner: "auth", Array(Self.auth.prefix(1))) }
            #expect(error?.description.contains("version 2") == true)
            // Another owner is unaffected.
            try db.migrate(owner: "room", Self.room)
        }
    }

    @Test func failingMigrationLeavesNoTraceAndStopsLaterOnes() throws {
        try withDatabase { db, _ throws in
            let broken = [
                Migration(1, "CREATE TABLE a (x INTEGER)"),
                Migration(2, "CREATE TABLE b (y INTEGER); CREATE TABLE a (x INTEGER)"),  // second statement fails
                Migration(3, "CREATE TABLE c (z INTEGER)"),
            ]
            let error = #expect(throws: SQLiteError.self) { try db.migrate(owner: "x", broken) }
            #expect(error?.message.contains("already exists") == true)
            #expect(try db.schemaVersion(owner: "x") == 1)
            let tables = try db.read { try $0.query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name") }
            #expect(tables.map { $0.string("name") } == ["a", "schema_migrations"])
        }
    }

    @Test func rejectsVersionsOutOfOrder() throws {
        try withDatabase { db, _ throws in
            #expect(throws: MigrationError.self) { try db.migrate(owner: "x", [Migration(2, "SELECT 1"), Migration(1, "SELECT 1")]) }
            #expect(throws: MigrationError.self) { try db.migrate(owner: "x", [Migration(0, "SELECT 1")]) }
            #expect(throws: MigrationError.self) { try db.migrate(owner: "x", [Migration(1, "SELECT 1"), Migration(1, "SELECT 1")]) }
            #expect(throws: MigrationError.self) { try db.migrate(owner: "", [Migration(1, "SELECT 1")]) }
        }
    }

    @Test func migrationsSurviveReopening() throws {
        let directory = ScratchDirectory()
        let path = directory.file("reopen.db")
        let first = try Database(path: path)
        try first.migrate(owner: "auth", Self.auth)
        first.close()
        let second = try Database(path: path)
        defer { second.close() }
        try second.migrate(owner: "auth", Self.auth)
        #expect(try second.schemaVersion(owner: "auth") == 2)
    }

    @Test func twoProcessesMigratingAtOnceApplyEachVersionOnce() throws {
        let directory = ScratchDirectory()
        let path = directory.file("race.db")
        let databases = try (0..<3).map { _ in try Database(path: path, readers: 1, busyTimeout: 30) }
        defer { for db in databases { db.close() } }
        let failures = Mutex<[String]>([])
        let threads = databases.map { db in
            onThread {
                do { try db.migrate(owner: "auth", Self.auth) } catch { failures.withLock { $0.append("\(error)") } }
            }
        }
        for thread in threads { thread.wait() }
        #expect(failures.withLock { $0 } == [])
        let versions = try databases[0].read { try $0.query("SELECT version FROM schema_migrations WHERE owner = 'auth' ORDER BY version") }
        #expect(versions.map { $0.int("version") } == [1, 2])
    }
}
