import Foundation
import SQLite

/// A fresh directory under /tmp, deleted with everything in it when the value goes away.
final class ScratchDirectory: Sendable {
    let path: String

    init() {
        var template = Array("/tmp/sqlite-tests-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(made != nil, "mkdtemp failed: errno \(errno)")
        path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    func file(_ name: String) -> String { path + "/" + name }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// Opens a database in a fresh directory, runs `body`, closes it and deletes the directory.
func withDatabase<T>(readers: Int = 4, _ body: (Database, ScratchDirectory) throws -> T) throws -> T {
    let directory = ScratchDirectory()
    let db = try Database(path: directory.file("test.db"), readers: readers)
    defer { db.close() }
    return try body(db, directory)
}

struct Boom: Error {}
