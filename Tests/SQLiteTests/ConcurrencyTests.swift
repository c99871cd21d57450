import Foundation
import Synchronization
import Testing
@testable import SQLite

/// Runs `body` on a new thread (not the cooperative pool: these bodies block).
func onThread(_ body: @escaping @Sendable () -> Void) -> DispatchSemaphore {
    let done = DispatchSemaphore(value: 0)
    Thread {
        body()
        done.signal()
    }.start()
    return done
}

@Suite(.timeLimit(.minutes(1)))
struct ConcurrencyTests {
    @Test func readersRunWhileWriterCommitsAndNeverSeeHalfATransaction() throws {
        try withDatabase(readers: 3) { db, _ throws in
            try db.write { try $0.execute("CREATE TABLE t (v INTEGER)") }
            let problems = Mutex<[String]>([])
            let readsDone = Atomic<Int>(0)
            let writer = onThread {
                do {
                    for i in 0..<200 {
                        try db.write { conn in
                            try conn.execute("INSERT INTO t VALUES (?)", i)
                            try conn.execute("INSERT INTO t VALUES (?)", -i)
                        }
                    }
                } catch {
                    problems.withLock { $0.append("writer: \(error)") }
                }
            }
            let readers = (0..<4).map { _ in
                onThread {
                    var last = 0
                    for _ in 0..<200 {
                        do {
                            let n = try db.read { try $0.queryOne("SELECT COUNT(*) AS n FROM t")!.int("n") }
                            if n % 2 != 0 { problems.withLock { $0.append("saw half a transaction: \(n)") } }
                            if n < last { problems.withLock { $0.append("count went backwards: \(last) → \(n)") } }
                            last = n
                            readsDone.add(1, ordering: .relaxed)
                        } catch {
                            problems.withLock { $0.append("reader: \(error)") }
                        }
                    }
                }
            }
            writer.wait()
            for reader in readers { reader.wait() }
            #expect(problems.withLock { $0 } == [])
            #expect(readsDone.load(ordering: .relaxed) == 800)
            #expect(try db.read { try $0.queryOne("SELECT COUNT(*) AS n FROM t") }?.int("n") == 400)
        }
    }

    @Test func readProceedsWhileAWriteTransactionIsOpen() throws {
        try withDatabase { db, _ throws in
            try db.write { try $0.execute("CREATE TABLE t (v INTEGER)") }
            let inside = DispatchSemaphore(value: 0)
            let release = DispatchSemaphore(value: 0)
            let writer = onThread {
                try? db.write { conn in
                    try conn.execute("INSERT INTO t VALUES (1)")
                    inside.signal()
                    release.wait()
                }
            }
            inside.wait()
            // WAL: the reader is not blocked by the open write transaction and sees the last commit.
            #expect(try db.read { try $0.queryOne("SELECT COUNT(*) AS n FROM t") }?.int("n") == 0)
            release.signal()
            writer.wait()
            #expect(try db.read { try $0.queryOne("SELECT COUNT(*) AS n FROM t") }?.int("n") == 1)
        }
    }

    @Test func writesFromManyThreadsAreSerialized() throws {
        try withDatabase { db, _ throws in
            try db.write { try $0.execute("CREATE TABLE counter (n INTEGER)"); try $0.execute("INSERT INTO counter VALUES (0)") }
            let failures = Atomic<Int>(0)
            let threads = (0..<4).map { _ in
                onThread {
                    for _ in 0..<50 {
                        do {
                            try db.write { conn in
                                // Read-modify-write: lost updates would show if writes interleaved.
                                let n = try conn.queryOne("SELECT n FROM counter")!.int("n")
                                try conn.execute("UPDATE counter SET n = ?", n + 1)
                            }
                        } catch {
                            failures.add(1, ordering: .relaxed)
                        }
                    }
                }
            }
            for thread in threads { thread.wait() }
            #expect(failures.load(ordering: .relaxed) == 0)
            #expect(try db.read { try $0.queryOne("SELECT n FROM counter") }?.int("n") == 200)
        }
    }

    @Test func busyTimeoutWaitsForAnotherDatabaseOnTheSameFile() throws {
        let directory = ScratchDirectory()
        let path = directory.file("shared.db")
        let first = try Database(path: path, readers: 1)
        let patient = try Database(path: path, readers: 1, busyTimeout: 30)
        let impatient = try Database(path: path, readers: 1, busyTimeout: 0.05)
        defer { first.close(); patient.close(); impatient.close() }
        try first.write { try $0.execute("CREATE TABLE t (v INTEGER)") }

        let inside = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let holder = onThread {
            try? first.write { conn in
                try conn.execute("INSERT INTO t VALUES (1)")
                inside.signal()
                release.wait()
            }
        }
        inside.wait()

        // Held until released: a short timeout gives SQLITE_BUSY, not a hang and not success.
        let busy = #expect(throws: SQLiteError.self) { try impatient.write { try $0.execute("INSERT INTO t VALUES (2)") } }
        #expect(busy?.isBusy == true)

        // A long timeout waits for the other instance to commit, then succeeds.
        let releaser = onThread {
            Thread.sleep(forTimeInterval: 0.3)
            release.signal()
        }
        try patient.write { try $0.execute("INSERT INTO t VALUES (3)") }
        holder.wait()
        releaser.wait()
        #expect(try impatient.read { try $0.query("SELECT v FROM t ORDER BY v") }.map { $0.int("v") } == [1, 3])
    }

    @Test func readWaitsForAFreeReaderAndCloseWaitsForRunningReads() throws {
        let directory = ScratchDirectory()
        let db = try Database(path: directory.file("one-reader.db"), readers: 1)
        try db.write { try $0.execute("CREATE TABLE t (v INTEGER)") }
        let inside = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let order = Mutex<[String]>([])
        let first = onThread {
            _ = try? db.read { _ in
                inside.signal()
                release.wait()
                order.withLock { $0.append("first done") }
            }
        }
        inside.wait()
        let second = onThread {
            _ = try? db.read { conn in
                order.withLock { $0.append("second ran") }
                return try conn.query("SELECT v FROM t")
            }
        }
        Thread.sleep(forTimeInterval: 0.1)  // give `second` time to queue up (ordering, not speed)
        release.signal()
        first.wait()
        second.wait()
        #expect(order.withLock { $0 } == ["first done", "second ran"])

        // close() waits for a running read, then later reads fail cleanly.
        let closing = DispatchSemaphore(value: 0)
        let reading = onThread {
            _ = try? db.read { _ in
                inside.signal()
                closing.wait()
                Thread.sleep(forTimeInterval: 0.05)
            }
        }
        inside.wait()
        closing.signal()
        db.close()
        reading.wait()
        #expect(throws: SQLiteError.self) { try db.read { _ in 0 } }
    }
}
