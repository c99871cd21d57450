import CSQLite

/// One SQLite connection (owns one `sqlite3*`), with its prepared statements cached per SQL string.
///
/// Threading: opened with `SQLITE_OPEN_NOMUTEX`, so SQLite does no locking of its own. A connection
/// is handed to exactly one thread at a time by `Database.write` / `Database.read`, and only inside
/// their body. Never store it or pass it to another thread or task; it is not `Sendable`.
public final class Connection {
    private var handle: OpaquePointer?
    private var statements: [String: Statement] = [:]
    /// Dynamic SQL (e.g. `IN (?, ?, ?)` lists of varying length) could grow the cache without bound.
    static let statementCacheLimit = 256
    public let path: String

    /// Opens `path` with `SQLITE_OPEN_NOMUTEX` plus `flags`, sets the busy timeout (seconds), turns on
    /// extended result codes and foreign keys, and sets `synchronous` (NORMAL unless `durable`).
    init(path: String, flags: Int32, busyTimeout: Double, durable: Bool = false) throws(SQLiteError) {
        var db: OpaquePointer?
        let rc = sqlite3_open_v2(path, &db, flags | SQLITE_OPEN_NOMUTEX, nil)
        guard rc == SQLITE_OK, let db else {
            let error = SQLiteError(code: rc, connection: db)  // read errmsg before closing
            sqlite3_close(db)  // sqlite.org/c3ref/open.html: close even on failure
            throw error
        }
        self.handle = db
        self.path = path
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, Int32(min(max(busyTimeout, 0) * 1000, Double(Int32.max))))
        do {
            // mmap: pages another process changed are read by memory access, not one pread(2) each.
            try executeScript("PRAGMA foreign_keys = ON; PRAGMA synchronous = \(durable ? "FULL" : "NORMAL"); PRAGMA mmap_size = 268435456;")
        } catch {
            try? close()
            throw error
        }
    }

    deinit { assert(handle == nil, "Connection leaked: call close()") }

    /// Finalizes the cached statements and closes the connection.
    func close() throws(SQLiteError) {
        guard let db = handle else { return }
        for statement in statements.values { statement.close() }
        statements = [:]
        let rc = sqlite3_close(db)
        guard rc == SQLITE_OK else { throw SQLiteError(code: rc, connection: db) }
        handle = nil
    }

    /// Runs one statement (its result rows, if any, are discarded).
    public func execute(_ sql: String, _ bindings: (any SQLBindable)?...) throws(SQLiteError) {
        _ = try run(sql, bindings.map(Self.value), collect: false)
    }

    /// Runs one statement with an array of values, for SQL built at run time.
    public func execute(_ sql: String, bindings: [(any SQLBindable)?]) throws(SQLiteError) {
        _ = try run(sql, bindings.map(Self.value), collect: false)
    }

    /// Runs one query and returns all its rows.
    public func query(_ sql: String, _ bindings: (any SQLBindable)?...) throws(SQLiteError) -> [Row] {
        try run(sql, bindings.map(Self.value), collect: true)
    }

    /// Runs one query with an array of values, for SQL built at run time.
    public func query(_ sql: String, bindings: [(any SQLBindable)?]) throws(SQLiteError) -> [Row] {
        try run(sql, bindings.map(Self.value), collect: true)
    }

    /// The first row of a query, or nil. Add `LIMIT 1` when more rows could match: every row is read.
    public func queryOne(_ sql: String, _ bindings: (any SQLBindable)?...) throws(SQLiteError) -> Row? {
        try run(sql, bindings.map(Self.value), collect: true).first
    }

    /// The first row of a query with an array of values, or nil.
    public func queryOne(_ sql: String, bindings: [(any SQLBindable)?]) throws(SQLiteError) -> Row? {
        try run(sql, bindings.map(Self.value), collect: true).first
    }

    /// Runs one query and calls `body` with each row as it is stepped, without building `Row`s:
    /// for hot paths that read many rows by column position (see `Cursor`).
    public func forEach(_ sql: String, _ bindings: (any SQLBindable)?..., body: (Cursor) -> Void) throws(SQLiteError) {
        guard let db = handle else { throw .misuse("connection is closed", sql: sql) }
        try statement(for: sql, db).step(bindings.map(Self.value), connection: db) { body(Cursor($0)) }
    }

    /// Runs SQL text that may hold several statements, without bindings and without caching
    /// (`sqlite3_exec`). For migrations and pragmas.
    public func executeScript(_ sql: String) throws(SQLiteError) {
        guard let db = handle else { throw .misuse("connection is closed", sql: sql) }
        let rc = sqlite3_exec(db, sql, nil, nil, nil)
        guard rc == SQLITE_OK else { throw SQLiteError(code: rc, connection: db, sql: sql) }
    }

    /// The rowid of the most recent successful INSERT on this connection.
    public var lastInsertRowID: Int { handle.map { Int(sqlite3_last_insert_rowid($0)) } ?? 0 }

    /// Rows changed by the most recent INSERT, UPDATE or DELETE on this connection.
    public var changes: Int { handle.map { Int(sqlite3_changes($0)) } ?? 0 }

    /// Whether the connection is inside a transaction (false in autocommit mode).
    public var isInTransaction: Bool { handle.map { sqlite3_get_autocommit($0) == 0 } ?? false }

    private func run(_ sql: String, _ values: [SQLValue], collect: Bool) throws(SQLiteError) -> [Row] {
        guard let db = handle else { throw .misuse("connection is closed", sql: sql) }
        return try statement(for: sql, db).run(values, connection: db, collect: collect)
    }

    private func statement(for sql: String, _ db: OpaquePointer) throws(SQLiteError) -> Statement {
        if let cached = statements[sql] { return cached }
        let statement = try Statement(connection: db, sql: sql)
        if statements.count >= Self.statementCacheLimit {
            for old in statements.values { old.close() }
            statements = [:]
        }
        statements[sql] = statement
        return statement
    }

    private static func value(_ binding: (any SQLBindable)?) -> SQLValue { binding?.sqlValue ?? .null }
}

@available(*, unavailable)
extension Connection: Sendable {}
