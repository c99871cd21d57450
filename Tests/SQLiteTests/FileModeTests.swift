import Foundation
import Testing
@testable import SQLite

/// The database, its -wal and -shm, and a backup are mode 0600, whatever the umask lets through.
/// Serialized: two tests set the process's umask and put it back, which must not interleave.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct FileModeTests {
    private func mode(_ path: String) throws -> Int {
        try #require(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
    }

    @Test func aNewDatabaseAndItsWALAreTheOwnersAlone() throws {
        let previous = umask(0o022)  // the usual umask: without makePrivate, SQLite would create 0644
        defer { umask(previous) }
        try withDatabase { db, directory throws in
            try db.write { try $0.execute("CREATE TABLE t (v)") }
            for name in ["test.db", "test.db-wal", "test.db-shm"] {
                #expect(try mode(directory.file(name)) == 0o600, "\(name)")
            }
        }
    }

    @Test func openingMakesAnOlderDatabaseAndItsWALPrivate() throws {
        try withDatabase { db, directory throws in
            try db.write { try $0.execute("CREATE TABLE t (v)") }
            let names = ["test.db", "test.db-wal", "test.db-shm"]
            for name in names {
                try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: directory.file(name))
            }
            let again = try Database(path: directory.file("test.db"), readers: 1)
            defer { again.close() }
            for name in names {
                #expect(try mode(directory.file(name)) == 0o600, "\(name)")
            }
            #expect(try again.read { try $0.queryOne("SELECT COUNT(*) AS n FROM t") }?.int("n") == 0)
        }
    }

    @Test func aBackupIsAsPrivateAsTheDatabase() throws {
        let previous = umask(0o022)
        defer { umask(previous) }
        try withDatabase { db, directory throws in
            try db.write { try $0.execute("CREATE TABLE t (v)") }
            let target = directory.file("copy.db")
            _ = try db.backup(to: target)
            #expect(try mode(target) == 0o600)
        }
    }
}
