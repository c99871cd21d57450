/// One step of a schema: a version number (positive, increasing within an owner) and SQL text that
/// may hold several statements. The SQL must not contain BEGIN/COMMIT (each migration already runs
/// in its own transaction) nor PRAGMAs that are no-ops inside a transaction (`foreign_keys`).
public struct Migration: Sendable {
    public let version: Int
    public let sql: String

    public init(_ version: Int, _ sql: String) {
        self.version = version
        self.sql = sql
    }
}

/// A migration list or database state that `Database.migrate` refuses to work with.
public struct MigrationError: Error, CustomStringConvertible, Sendable {
    public var owner: String
    public var message: String

    public var description: String { "migrations for '\(owner)': \(message)" }
}
