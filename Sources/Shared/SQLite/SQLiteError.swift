import CSQLite

/// A failure reported by SQLite, with the evidence captured where it happened.
///
/// `description` shows the extended code, `sqlite3_errmsg` and the SQL text. Bound values never
/// appear: they may be passwords, tokens or personal data.
public struct SQLiteError: Error, CustomStringConvertible, Sendable {
    /// The extended result code (sqlite.org/rescode.html), e.g. `SQLITE_CONSTRAINT_UNIQUE` (2067).
    public var code: Int32
    /// `sqlite3_errmsg` at the failure site, or our own text for misuse we detect.
    public var message: String
    /// The statement that failed, when there was one.
    public var sql: String?

    public init(code: Int32, message: String, sql: String? = nil) {
        self.code = code
        self.message = message
        self.sql = sql
    }

    /// Reads the message from `connection` (which may be nil when opening failed).
    init(code: Int32, connection: OpaquePointer?, sql: String? = nil) {
        let message: String
        if let connection, let text = sqlite3_errmsg(connection) {
            message = String(cString: text)
        } else {
            message = String(cString: sqlite3_errstr(code))
        }
        self.init(code: code, message: message, sql: sql)
    }

    /// The primary result code, e.g. `SQLITE_CONSTRAINT` (19) for every kind of constraint failure.
    public var primaryCode: Int32 { code & 0xFF }

    /// Any constraint failure: UNIQUE, PRIMARY KEY, NOT NULL, CHECK, FOREIGN KEY.
    public var isConstraint: Bool { primaryCode == SQLITE_CONSTRAINT }

    /// A UNIQUE or PRIMARY KEY violation, e.g. a username that is already taken.
    public var isUnique: Bool { code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY }

    /// A FOREIGN KEY violation (foreign keys are on for every connection).
    public var isForeignKey: Bool { code == SQLITE_CONSTRAINT_FOREIGNKEY }

    /// The database stayed locked by another connection for longer than the busy timeout.
    public var isBusy: Bool { primaryCode == SQLITE_BUSY || primaryCode == SQLITE_LOCKED }

    public var description: String {
        "SQLite \(code): \(message)" + (sql.map { " in `\($0)`" } ?? "")
    }
}

// The extended codes are function-like macros in sqlite3.h, which Swift does not import.
// Values from sqlite.org/rescode.html: SQLITE_CONSTRAINT | (n << 8).
public let SQLITE_CONSTRAINT_CHECK: Int32 = SQLITE_CONSTRAINT | (1 << 8)
public let SQLITE_CONSTRAINT_FOREIGNKEY: Int32 = SQLITE_CONSTRAINT | (3 << 8)
public let SQLITE_CONSTRAINT_NOTNULL: Int32 = SQLITE_CONSTRAINT | (5 << 8)
public let SQLITE_CONSTRAINT_PRIMARYKEY: Int32 = SQLITE_CONSTRAINT | (6 << 8)
public let SQLITE_CONSTRAINT_UNIQUE: Int32 = SQLITE_CONSTRAINT | (8 << 8)

/// Our own misuse errors use SQLITE_MISUSE so callers need only one error type.
extension SQLiteError {
    static func misuse(_ message: String, sql: String? = nil) -> SQLiteError {
        SQLiteError(code: SQLITE_MISUSE, message: message, sql: sql)
    }
}
