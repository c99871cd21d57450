import CSQLite
import Foundation
import Runtime
import Testing
@testable import SQLite

@Suite(.timeLimit(.minutes(1)))
struct ConnectionTests {
    static let schema = """
        CREATE TABLE things (
            id INTEGER PRIMARY KEY,
            count INTEGER NOT NULL,
            big INTEGER NOT NULL,
            ratio REAL NOT NULL,
            name TEXT NOT NULL,
            data BLOB NOT NULL,
            flag INTEGER NOT NULL,
            created_at INTEGER NOT NULL,
            note TEXT,
            extra INTEGER
        )
        """

    @Test func insertsReadsUpdatesAndDeletesEveryType() throws {
        try withDatabase { db, _ throws in
            try db.write { try $0.executeScript(Self.schema) }
            let created = UTCTime(milliseconds: 1_767_225_600_123)
            let name = "naïve 名前 🚀 with\u{0}nul"
            let data: [UInt8] = [0, 1, 2, 0xff, 0]
            let id = try db.write { conn -> Int in
                try conn.execute(
                    "INSERT INTO things(count, big, ratio, name, data, flag, created_at, note, extra) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    42, Int64.max, 2.5, name, data, true, created, nil as String?, Optional(7))
                #expect(conn.changes == 1)
                return conn.lastInsertRowID
            }
            #expect(id == 1)

            let row = try #require(try db.read { try $0.queryOne("SELECT * FROM things WHERE id = ?", id) })
            #expect(row.int("count") == 42)
            #expect(row.int64("big") == Int64.max)
            #expect(row.double("ratio") == 2.5)
            #expect(row.string("name") == name)
            #expect(row.blob("data") == data)
            #expect(row.bool("flag") == true)
            #expect(row.time("created_at") == created)
            #expect(row.optionalString("note") == nil)
            #expect(row.optionalInt("extra") == 7)
            #expect(row["note"] == .null)
            #expect(row["missing"] == nil)
            #expect(row.columnNames.first == "id")

            try db.write { conn in
                try conn.execute("UPDATE things SET note = ?, extra = ?, flag = ?, count = ? WHERE id = ?",
                                 "", nil as Int?, false, Int.min, id)
                #expect(conn.changes == 1)
            }
            let updated = try #require(try db.read { try $0.queryOne("SELECT note, extra, flag, count FROM things") })
            #expect(updated.optionalString("note") == "")  // empty string is not NULL
            #expect(updated.optionalInt("extra") == nil)
            #expect(updated.bool("flag") == false)
            #expect(updated.int("count") == Int.min)

            try db.write { conn in
                try conn.execute("DELETE FROM things WHERE id = ?", id)
                #expect(conn.changes == 1)
                try conn.execute("DELETE FROM things WHERE id = ?", id)
                #expect(conn.changes == 0)
            }
            #expect(try db.read { try $0.query("SELECT id FROM things") }.isEmpty)
        }
    }

    @Test func emptyBlobAndEmptyTextAreNotNull() throws {
        try withDatabase { db, _ throws in
            let row = try #require(try db.write { conn in
                try conn.execute("CREATE TABLE t (b BLOB, s TEXT)")
                try conn.execute("INSERT INTO t VALUES (?, ?)", [UInt8](), "")
                return try conn.queryOne("SELECT b, s, typeof(b) AS tb, typeof(s) AS ts FROM t")
            })
            #expect(row.string("tb") == "blob")
            #expect(row.string("ts") == "text")
            #expect(row.blob("b") == [])
            #expect(row.string("s") == "")
        }
    }

    @Test func queryReturnsRowsInOrderAndArrayBindingsWork() throws {
        try withDatabase { db, _ throws in
            try db.write { conn in
                try conn.execute("CREATE TABLE n (v INTEGER)")
                for v in 1...10 { try conn.execute("INSERT INTO n VALUES (?)", v) }
            }
            let values: [(any SQLBindable)?] = [2, 4, 6]
            let rows = try db.read { try $0.query("SELECT v FROM n WHERE v IN (?, ?, ?) ORDER BY v DESC", bindings: values) }
            #expect(rows.map { $0.int("v") } == [6, 4, 2])
            let total = try db.read { try $0.queryOne("SELECT SUM(v) AS s, COUNT(*) AS c, AVG(v) AS a FROM n") }
            #expect(total?.int("s") == 55)
            #expect(total?.int("c") == 10)
            #expect(total?.double("a") == 5.5)
        }
    }

    @Test func forEachReadsColumnsByPositionAndLeavesTheStatementReusable() throws {
        try withDatabase { db, _ throws in
            try db.write { conn in
                try conn.execute("CREATE TABLE m (id INTEGER PRIMARY KEY, body TEXT, note TEXT, at INTEGER)")
                try conn.execute("INSERT INTO m VALUES (1, 'héllo \"x\"', NULL, 1700000000123)")
                try conn.execute("INSERT INTO m VALUES (2, '', 'n', NULL)")
            }
            let sql = "SELECT id, body, note AS remark, at FROM m WHERE id >= ? ORDER BY id"
            for _ in 0..<2 {  // the cached statement was reset and its bindings cleared
                var seen: [String] = []
                try db.read { conn in
                    try conn.forEach(sql, 1) { c in
                        #expect(c.columnCount == 4 && c.name(2) == "remark")
                        let at = c.isNull(3) ? "-" : String(c.time(3).milliseconds)
                        seen.append("\(c.int(0))|\(c.string(1))|\(c.optionalString(2) ?? "nil")|\(c.optionalInt(3).map(String.init) ?? "nil")|\(at)")
                    }
                }
                #expect(seen == [#"1|héllo "x"|nil|1700000000123|1700000000123"#, "2||n|nil|-"])
            }
            // Errors come out as SQLiteError, as from query().
            #expect(throws: SQLiteError.self) { try db.read { try $0.forEach("SELECT nope FROM m") { _ in } } }
        }
    }

    @Test func manyDistinctStatementsStayCorrectPastTheCacheLimit() throws {
        try withDatabase { db, _ throws in
            try db.write { conn in
                for i in 0..<(Connection.statementCacheLimit + 20) {
                    let v = try conn.queryOne("SELECT \(i) AS v")?.int("v")
                    #expect(v == i)
                }
                let again = try conn.queryOne("SELECT 1 AS v")?.int("v")
                #expect(again == 1)
            }
        }
    }

    @Test func refusesSeveralStatementsAndWrongParameterCounts() throws {
        try withDatabase { db, _ throws in
            let several = #expect(throws: SQLiteError.self) {
                try db.write { try $0.execute("CREATE TABLE a (x); CREATE TABLE b (y)") }
            }
            #expect(several?.code == SQLITE_MISUSE)
            #expect(try db.read { try $0.query("SELECT name FROM sqlite_master") }.isEmpty)  // nothing ran

            let count = #expect(throws: SQLiteError.self) { try db.read { try $0.query("SELECT ?, ?", 1) } }
            #expect(count?.message.contains("2 parameters") == true)
        }
    }

    @Test func syntaxErrorCarriesCodeMessageAndSQL() throws {
        try withDatabase { db, _ throws in
            let error = #expect(throws: SQLiteError.self) { try db.read { try $0.query("SELEC 1") } }
            #expect(error?.primaryCode == SQLITE_ERROR)
            #expect(error?.message.contains("syntax error") == true)
            #expect(error?.sql == "SELEC 1")
            #expect(error?.description.contains("SELEC 1") == true)
        }
    }

    @Test func cachedStatementSeesRenamedColumns() throws {
        try withDatabase { db, _ throws in
            try db.write { conn in
                try conn.execute("CREATE TABLE t (a INTEGER)")
                try conn.execute("INSERT INTO t VALUES (1)")
                #expect(try conn.queryOne("SELECT * FROM t")?.columnNames == ["a"])
                try conn.execute("ALTER TABLE t RENAME COLUMN a TO b")
                try conn.execute("ALTER TABLE t ADD COLUMN c TEXT")
                let row = try conn.queryOne("SELECT * FROM t")
                #expect(row?.columnNames == ["b", "c"])
                #expect(row?.int("b") == 1)
            }
        }
    }
}
