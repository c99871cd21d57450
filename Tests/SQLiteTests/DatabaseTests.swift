import CSQLite
import Foundation
import Synchronization
import Testing
@testable import SQLite

@Suite(.timeLimit(.minutes(1)))
struct DatabaseTests {
    @Test func writeRollsBackWhenBodyThrows() throws {
        try withDatabase { db, _ throws in
            try db.write { try $0.execute("CREATE TABLE t (v INTEGER)") }
            #expect(throws: Boom.self) {
                try db.write { conn in
                    try conn.execute("INSERT INTO t VALUES (1)")
                    try conn.execute("INSERT INTO t VALUES (2)")
                    throw Boom()
                }
            }
            #expect(try db.read { try $0.queryOne("SELECT COUNT(*) AS n FROM t") }?.int("n") == 0)
            // The writer is usable again afterwards, outside any leftover transaction.
            try db.write { try $0.execute("INSERT INTO t VALUES (3)") }
            #expect(try db.read { try $0.query("SELECT v FROM t") }.map { $0.int("v") } == [3])
        }
    }

    @Test func failedStatementRollsBackTheWholeTransaction() throws {
        try withDatabase { db, _ throws in
            try db.write { try $0.execute("CREATE TABLE t (v INTEGER UNIQUE)") }
            #expect(throws: SQLiteError.self) {
                try db.write { conn in
                    try conn.execute("INSERT INTO t VALUES (1)")
                    try conn.execute("INSERT INTO t VALUES (1)")
                }
            }
            #expect(try db.read { try $0.query("SELECT v FROM t") }.isEmpty)
        }
    }

    @Test func readSeesOneSnapshotAndReturnsValues() throws {
        try withDatabase { db, _ throws in
            try db.write { try $0.execute("CREATE TABLE t (v INTEGER)") }
            let (before, after) = try db.read { conn -> (Int, Int) in
                let before = try conn.queryOne("SELECT COUNT(*) AS n FROM t")!.int("n")
                try db.write { try $0.execute("INSERT INTO t VALUES (1)") }  // committed meanwhile
                let after = try conn.queryOne("SELECT COUNT(*) AS n FROM t")!.int("n")
                return (before, after)
            }
            #expect(before == 0 && after == 0)
            #expect(try db.read { try $0.queryOne("SELECT COUNT(*) AS n FROM t") }?.int("n") == 1)
        }
    }

    @Test func readersAreReadOnly() throws {
        try withDatabase { db, _ throws in
            try db.write { try $0.execute("CREATE TABLE t (v INTEGER)") }
            let error = #expect(throws: SQLiteError.self) { try db.read { try $0.execute("INSERT INTO t VALUES (1)") } }
            #expect(error?.primaryCode == SQLITE_READONLY)
        }
    }

    @Test func constraintErrorsAreClassified() throws {
        try withDatabase { db, _ throws in
            try db.write { conn in
                try conn.executeScript("""
                    CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
                    CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id),
                                        score INTEGER CHECK (score >= 0));
                    INSERT INTO users(id, name) VALUES (1, 'ada');
                    """)
            }
            let unique = #expect(throws: SQLiteError.self) { try db.write { try $0.execute("INSERT INTO users(name) VALUES (?)", "ada") } }
            #expect(unique?.isUnique == true && unique?.isConstraint == true && unique?.code == SQLITE_CONSTRAINT_UNIQUE)

            let primary = #expect(throws: SQLiteError.self) { try db.write { try $0.execute("INSERT INTO users(id, name) VALUES (1, 'bob')") } }
            #expect(primary?.isUnique == true && primary?.code == SQLITE_CONSTRAINT_PRIMARYKEY)

            let notNull = #expect(throws: SQLiteError.self) { try db.write { try $0.execute("INSERT INTO users(name) VALUES (?)", nil as String?) } }
            #expect(notNull?.code == SQLITE_CONSTRAINT_NOTNULL && notNull?.isUnique == false && notNull?.isConstraint == true)

            let foreign = #expect(throws: SQLiteError.self) { try db.write { try $0.execute("INSERT INTO posts(user_id) VALUES (99)") } }
            #expect(foreign?.isForeignKey == true && foreign?.isConstraint == true)

            let check = #expect(throws: SQLiteError.self) { try db.write { try $0.execute("INSERT INTO posts(user_id, score) VALUES (1, -1)") } }
            #expect(check?.code == SQLITE_CONSTRAINT_CHECK)
        }
    }

    @Test func errorsNeverContainBoundValues() throws {
        let secret = "hunter2-Sup3rS3cret-token-\(UUID().uuidString)"
        try withDatabase { db, _ throws in
            try db.write { conn in
                try conn.execute("CREATE TABLE creds (token TEXT UNIQUE, n INTEGER CHECK (length(token) < 10))")
            }
            var errors: [any Error] = []
            for attempt in 0..<4 {
                do {
                    try db.write { conn in
                        switch attempt {
                        case 0: try conn.execute("INSERT INTO creds(token) VALUES (?)", secret)  // CHECK fails
                        case 1: try conn.execute("INSERT INTO creds(token, n) VALUES (?, ?)", secret, "not a number", 3)
                        case 2: try conn.execute("INSERT INTO nope(token) VALUES (?)", secret)
                        default: try conn.execute("SELECT CAST(? AS INTEGER) / 0, abs(-9223372036854775807 - 1)", secret)
                        }
                    }
                    Issue.record("attempt \(attempt) should have failed")
                } catch {
                    errors.append(error)
                }
            }
            #expect(errors.count == 4)
            for error in errors {
                for text in [String(describing: error), String(reflecting: error), "\(error)"] {
                    #expect(!text.contains(secret), "secret leaked: \(text)")
                    #expect(!text.contains("hunter2"))
                }
            }
        }
    }

    @Test func walModeIsOnAndSettingsApplyToEveryConnection() throws {
        try withDatabase(readers: 2) { db, directory throws in
            #expect(try db.read { try $0.queryOne("PRAGMA journal_mode") }?.string("journal_mode") == "wal")
            #expect(try db.read { try $0.queryOne("PRAGMA foreign_keys") }?.int("foreign_keys") == 1)
            #expect(try db.write { try $0.queryOne("PRAGMA foreign_keys") }?.int("foreign_keys") == 1)
            #expect(try db.write { try $0.queryOne("PRAGMA synchronous") }?.int("synchronous") == 1)  // NORMAL
            #expect(try db.read { try $0.queryOne("PRAGMA busy_timeout") }?.int("timeout") == 5000)
            try db.write { try $0.execute("CREATE TABLE t (v)") }
            #expect(FileManager.default.fileExists(atPath: directory.file("test.db-wal")))
        }
    }

    @Test func aDurableDatabaseSyncsEveryCommit() throws {
        let directory = ScratchDirectory()
        let db = try Database(path: directory.file("durable.db"), readers: 1, durable: true)
        defer { db.close() }
        #expect(try db.write { try $0.queryOne("PRAGMA synchronous") }?.int("synchronous") == 2)  // FULL
    }

    @Test func closedDatabaseRefusesWork() throws {
        let directory = ScratchDirectory()
        let db = try Database(path: directory.file("x.db"), readers: 1)
        db.close()
        db.close()
        #expect(throws: SQLiteError.self) { try db.read { _ in 1 } }
        #expect(throws: SQLiteError.self) { try db.write { _ in 1 } }
    }

    @Test func openFailureIsAnError() {
        let error = #expect(throws: SQLiteError.self) { try Database(path: "/nonexistent-dir/sub/x.db") }
        #expect(error?.primaryCode == SQLITE_CANTOPEN)
    }
}
