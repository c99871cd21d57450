import Runtime

/// The column names of one statement's result, shared by all its rows.
final class Columns: Sendable {
    let names: [String]
    let index: [String: Int]

    init(_ names: [String]) {
        self.names = names
        var index: [String: Int] = [:]
        // With duplicate names (a join without aliases) the first column wins, as in most drivers.
        for (position, name) in names.enumerated() where index[name] == nil { index[name] = position }
        self.index = index
    }
}

/// One result row, copied out of SQLite when the statement stepped, so it stays valid after the
/// statement moves on and may cross threads.
///
/// Accessors take the column name as it appears in the result (use `AS` to name expressions).
/// Asking for a column the query does not return, or reading NULL through a non-optional accessor,
/// is a programming error and traps with the column's name; use the `optional…` accessors for
/// nullable columns.
public struct Row: Sendable {
    let columns: Columns
    /// The values in column order.
    public let values: [SQLValue]

    init(columns: Columns, values: [SQLValue]) {
        self.columns = columns
        self.values = values
    }

    /// The column names in order.
    public var columnNames: [String] { columns.names }

    /// The raw value of `column`, or nil when the result has no such column.
    public subscript(_ column: String) -> SQLValue? {
        columns.index[column].map { values[$0] }
    }

    /// The raw value of `column`; traps when the result has no such column.
    public func value(_ column: String) -> SQLValue {
        guard let position = columns.index[column] else {
            preconditionFailure("no column '\(column)' in result (columns: \(columns.names.joined(separator: ", ")))")
        }
        return values[position]
    }

    public func int(_ column: String) -> Int { required(column, optionalInt(column)) }
    public func int64(_ column: String) -> Int64 { required(column, optionalInt64(column)) }
    public func double(_ column: String) -> Double { required(column, optionalDouble(column)) }
    public func string(_ column: String) -> String { required(column, optionalString(column)) }
    public func blob(_ column: String) -> [UInt8] { required(column, optionalBlob(column)) }
    /// INTEGER 0 is false, any other integer true.
    public func bool(_ column: String) -> Bool { required(column, optionalBool(column)) }
    /// An INTEGER column of milliseconds since the epoch.
    public func time(_ column: String) -> UTCTime { required(column, optionalTime(column)) }

    public func optionalInt(_ column: String) -> Int? { optionalInt64(column).map { Int($0) } }

    public func optionalInt64(_ column: String) -> Int64? {
        switch value(column) {
        case .null: return nil
        case .integer(let v): return v
        // SUM/AVG and arithmetic may hand back REAL; accept it only when it is a whole number.
        case .real(let v) where v.rounded() == v && abs(v) < 9.2e18: return Int64(v)
        default: typeMismatch(column, "INTEGER")
        }
    }

    public func optionalDouble(_ column: String) -> Double? {
        switch value(column) {
        case .null: return nil
        case .real(let v): return v
        case .integer(let v): return Double(v)
        default: typeMismatch(column, "REAL")
        }
    }

    public func optionalString(_ column: String) -> String? {
        switch value(column) {
        case .null: return nil
        case .text(let v): return v
        default: typeMismatch(column, "TEXT")
        }
    }

    public func optionalBlob(_ column: String) -> [UInt8]? {
        switch value(column) {
        case .null: return nil
        case .blob(let v): return v
        // A zero-length blob can come back as TEXT '' from some expressions; bytes of text are exact.
        case .text(let v): return Array(v.utf8)
        default: typeMismatch(column, "BLOB")
        }
    }

    public func optionalBool(_ column: String) -> Bool? { optionalInt64(column).map { $0 != 0 } }

    public func optionalTime(_ column: String) -> UTCTime? { optionalInt64(column).map { UTCTime(milliseconds: $0) } }

    private func required<T>(_ column: String, _ value: T?) -> T {
        guard let value else { preconditionFailure("column '\(column)' is NULL; use the optional accessor") }
        return value
    }

    private func typeMismatch(_ column: String, _ expected: String) -> Never {
        preconditionFailure("column '\(column)' holds \(kind(value(column))), expected \(expected)")
    }

    private func kind(_ value: SQLValue) -> String {
        switch value {
        case .null: "NULL"
        case .integer: "INTEGER"
        case .real: "REAL"
        case .text: "TEXT"
        case .blob: "BLOB"
        }
    }
}
