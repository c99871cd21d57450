import CSQLite

/// Owns one `sqlite3_stmt*`. Belongs to one `Connection` and is used only by the thread that
/// currently holds that connection.
final class Statement {
    private var handle: OpaquePointer?
    let sql: String
    private var columns: Columns?

    init(connection: OpaquePointer, sql: String) throws(SQLiteError) {
        // A NUL would end the C string early and silently drop the rest of the statement.
        guard !sql.utf8.contains(0) else { throw .misuse("SQL text contains a NUL byte", sql: sql) }
        var statement: OpaquePointer?
        var trailing = ""
        // `tail` points into the C string, so read it inside the closure that owns that string.
        let rc = sql.withCString { text in
            var tail: UnsafePointer<CChar>?
            let rc = sqlite3_prepare_v2(connection, text, -1, &statement, &tail)
            if let tail { trailing = String(cString: tail) }
            return rc
        }
        guard rc == SQLITE_OK, let statement else {
            let error = rc == SQLITE_OK
                ? SQLiteError.misuse("empty statement", sql: sql)
                : SQLiteError(code: rc, connection: connection, sql: sql)
            sqlite3_finalize(statement)
            throw error
        }
        // sqlite3_prepare_v2 compiles only the first statement. Anything after it would be silently
        // ignored, so refuse it: scripts go through Connection.executeScript.
        if !trailing.allSatisfy({ $0.isWhitespace || $0 == ";" }) {
            sqlite3_finalize(statement)
            throw SQLiteError.misuse("more than one statement; use executeScript", sql: sql)
        }
        self.handle = statement
        self.sql = sql
    }

    deinit { assert(handle == nil, "Statement leaked: call close()") }

    func close() {
        sqlite3_finalize(handle)  // its result repeats the last step's error, already reported
        handle = nil
    }

    /// Binds, steps to the end and collects the rows (or none, when `collect` is false).
    func run(_ bindings: [SQLValue], connection: OpaquePointer, collect: Bool) throws(SQLiteError) -> [Row] {
        var rows: [Row] = []
        // Names are read once per run: a schema change re-prepares the statement and may rename columns.
        columns = nil
        try step(bindings, connection: connection) { handle in
            if collect { rows.append(readRow(handle)) }
        }
        return rows
    }

    /// Binds, then steps to the end, calling `body` on each row. Always leaves the statement reset
    /// with its bindings cleared, so a cached statement never holds a read transaction open or keeps
    /// a secret bound.
    func step(_ bindings: [SQLValue], connection: OpaquePointer, _ body: (OpaquePointer) -> Void) throws(SQLiteError) {
        guard let handle else { throw .misuse("statement is closed", sql: sql) }
        defer {
            sqlite3_reset(handle)
            sqlite3_clear_bindings(handle)
        }
        let expected = Int(sqlite3_bind_parameter_count(handle))
        guard bindings.count == expected else {
            throw .misuse("statement has \(expected) parameters but \(bindings.count) values were bound", sql: sql)
        }
        for (offset, value) in bindings.enumerated() {
            let rc = bind(value, at: Int32(offset + 1), handle)
            guard rc == SQLITE_OK else { throw SQLiteError(code: rc, connection: connection, sql: sql) }
        }
        while true {
            let rc = sqlite3_step(handle)
            if rc == SQLITE_DONE { return }
            guard rc == SQLITE_ROW else {
                // Read the message before sqlite3_reset (in defer) can replace it.
                throw SQLiteError(code: rc, connection: connection, sql: sql)
            }
            body(handle)
        }
    }

    private func bind(_ value: SQLValue, at index: Int32, _ handle: OpaquePointer) -> Int32 {
        switch value {
        case .null:
            return sqlite3_bind_null(handle, index)
        case .integer(let v):
            return sqlite3_bind_int64(handle, index, v)
        case .real(let v):
            return sqlite3_bind_double(handle, index, v)
        case .text(let v):
            // Explicit byte length: keeps embedded NULs. SQLITE_TRANSIENT makes SQLite copy the bytes
            // before the closure's pointer dies. withCString is never NULL, even for "".
            let length = Int32(v.utf8.count)
            return v.withCString { sqlite3_bind_text(handle, index, $0, length, csqlite_transient()) }
        case .blob(let v):
            // A NULL pointer would bind SQL NULL, so an empty blob is bound as a zero-length zeroblob.
            if v.isEmpty { return sqlite3_bind_zeroblob(handle, index, 0) }
            return v.withUnsafeBytes { sqlite3_bind_blob(handle, index, $0.baseAddress, Int32($0.count), csqlite_transient()) }
        }
    }

    private func readRow(_ handle: OpaquePointer) -> Row {
        let count = Int(sqlite3_column_count(handle))
        if columns == nil {
            columns = Columns((0..<count).map { String(cString: sqlite3_column_name(handle, Int32($0))) })
        }
        var values: [SQLValue] = []
        values.reserveCapacity(count)
        for column in 0..<Int32(count) {
            switch sqlite3_column_type(handle, column) {
            case SQLITE_INTEGER:
                values.append(.integer(sqlite3_column_int64(handle, column)))
            case SQLITE_FLOAT:
                values.append(.real(sqlite3_column_double(handle, column)))
            case SQLITE_TEXT:
                // sqlite.org/c3ref/column_blob.html: call _text first, then _bytes.
                let text = sqlite3_column_text(handle, column)
                let length = Int(sqlite3_column_bytes(handle, column))
                values.append(.text(text.map { String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self) } ?? ""))
            case SQLITE_BLOB:
                let blob = sqlite3_column_blob(handle, column)
                let length = Int(sqlite3_column_bytes(handle, column))
                values.append(.blob(blob.map { Array(UnsafeRawBufferPointer(start: $0, count: length)) } ?? []))
            default:
                values.append(.null)
            }
        }
        return Row(columns: columns!, values: values)
    }
}

@available(*, unavailable)
extension Statement: Sendable {}
