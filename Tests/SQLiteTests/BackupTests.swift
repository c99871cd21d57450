import Foundation
import Synchronization
import Testing
@testable import SQLite

@Suite(.timeLimit(.minutes(1)))
struct BackupTests {
    @Test func theCopyHoldsEveryCommittedRowAndOpensOnItsOwn() throws {
        try withDatabase { db, dir throws in
            try db.write { conn in
                try conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
                for i in 1...500 { try conn.execute("INSERT INTO t (v) VALUES (?)", "row \(i)") }
            }
            let target = dir.file("copy.db")
            let size = try db.backup(to: target)
            let onDisk = try FileManager.default.attributesOfItem(atPath: target)[.size] as? Int
            #expect(size > 0 && size == onDisk)
            #expect(!FileManager.default.fileExists(atPath: target + ".partial"))

            let copy = try Database(path: target, readers: 1)
            defer { copy.close() }
            #expect(try copy.read { try $0.queryOne("SELECT COUNT(*) AS n, MAX(v) AS top FROM t") }?.int("n") == 500)
            #expect(try copy.read { try $0.queryOne("PRAGMA integrity_check") }?.string("integrity_check") == "ok")
        }
    }

    @Test func itNeverOverwritesAFile() throws {
        try withDatabase { db, dir throws in
            try db.write { try $0.execute("CREATE TABLE t (v INTEGER)") }
            let target = dir.file("taken.db")
            #expect(FileManager.default.createFile(atPath: target, contents: Data("keep me".utf8)))
            let error = #expect(throws: SQLiteError.self) { try db.backup(to: target) }
            #expect(error?.message.contains("already exists") == true)
            #expect(FileManager.default.contents(atPath: target) == Data("keep me".utf8))
        }
    }

    @Test func aBackupTakenWhileWritesGoOnIsOneSnapshot() throws {
        try withDatabase { db, dir throws in
            try db.write { try $0.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, pair INTEGER NOT NULL)") }
            // Every transaction inserts two rows of one pair: a consistent copy has only whole pairs.
            let stop = Atomic<Bool>(false)
            let writer = Thread {
                var pair = 0
                while !stop.load(ordering: .relaxed) {
                    pair += 1
                    try? db.write { conn in
                        try conn.execute("INSERT INTO t (pair) VALUES (?)", pair)
                        try conn.execute("INSERT INTO t (pair) VALUES (?)", pair)
                    }
                }
            }
            writer.start()
            defer { stop.store(true, ordering: .relaxed) }
            Thread.sleep(forTimeInterval: 0.05)
            for n in 1...3 {
                let target = dir.file("copy\(n).db")
                _ = try db.backup(to: target)
                let copy = try Database(path: target, readers: 1)
                defer { copy.close() }
                let rows = try copy.read { try $0.queryOne("SELECT COUNT(*) AS n, COUNT(DISTINCT pair) AS pairs FROM t") }
                #expect(rows.map { $0.int("n") == 2 * $0.int("pairs") && $0.int("n") > 0 } == true)
            }
        }
    }

    @Test func aFailedBackupLeavesNothingBehind() throws {
        try withDatabase { db, dir throws in
            try db.write { try $0.execute("CREATE TABLE t (v INTEGER)") }
            let target = dir.file("missing-folder/copy.db")
            #expect(throws: SQLiteError.self) { try db.backup(to: target) }
            #expect(!FileManager.default.fileExists(atPath: target + ".partial"))
        }
    }
}
