import CSQLite
import Runtime

/// The current row of a query run by `Connection.forEach`, read by column position straight from
/// SQLite: no `Row` is built, no name is looked up, and values are copied out only when asked for.
/// For hot paths that read many rows of a fixed select list (a page of history).
///
/// It is valid only inside the body it was passed to. Asking for a column past the select list, or
/// reading NULL through a non-optional accessor, is a programming error and traps.
public struct Cursor {
    private let handle: OpaquePointer

    init(_ handle: OpaquePointer) { self.handle = handle }

    public var columnCount: Int { Int(sqlite3_column_count(handle)) }

    /// The name of a column as the result gives it (`AS` names included).
    public func name(_ column: Int) -> String {
        precondition(column >= 0 && column < columnCount, "no column \(column) in result")
        return String(cString: sqlite3_column_name(handle, Int32(column)))
    }

    public func isNull(_ column: Int) -> Bool { type(column) == SQLITE_NULL }

    public func int(_ column: Int) -> Int { required(column, optionalInt(column)) }
    public func string(_ column: Int) -> String { required(column, optionalString(column)) }
    /// An INTEGER column of milliseconds since the epoch.
    public func time(_ column: Int) -> UTCTime { UTCTime(milliseconds: Int64(int(column))) }

    public func optionalInt(_ column: Int) -> Int? {
        switch type(column) {
        case SQLITE_NULL: return nil
        case SQLITE_INTEGER: return Int(sqlite3_column_int64(handle, Int32(column)))
        default: preconditionFailure("column \(column) is not INTEGER")
        }
    }

    public func optionalString(_ column: Int) -> String? {
        switch type(column) {
        case SQLITE_NULL: return nil
        case SQLITE_TEXT:
            // sqlite.org/c3ref/column_blob.html: call _text first, then _bytes.
            guard let text = sqlite3_column_text(handle, Int32(column)) else { return "" }
            let length = Int(sqlite3_column_bytes(handle, Int32(column)))
            return String(decoding: UnsafeBufferPointer(start: text, count: length), as: UTF8.self)
        default: preconditionFailure("column \(column) is not TEXT")
        }
    }

    private func type(_ column: Int) -> Int32 {
        precondition(column >= 0 && column < columnCount, "no column \(column) in result")
        return sqlite3_column_type(handle, Int32(column))
    }

    private func required<T>(_ column: Int, _ value: T?) -> T {
        guard let value else { preconditionFailure("column \(column) is NULL; use the optional accessor") }
        return value
    }
}

@available(*, unavailable)
extension Cursor: Sendable {}
