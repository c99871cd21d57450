import Foundation
import IO

/// A fresh directory under the system temp dir, deleted with everything in it on deinit.
public final class TempDir: @unchecked Sendable {
    // Safety of @unchecked Sendable: `path` is immutable; the directory is removed once, in deinit.
    public let path: String

    public init(prefix: String = "chat-test") {
        var template = Array("\(NSTemporaryDirectory())/\(prefix)-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(made != nil, "mkdtemp failed: errno \(errno)")
        path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    /// `path/name`.
    public func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// A TCP port on 127.0.0.1 that was free a moment ago (bind to port 0, read it, close).
public func freePort() throws -> UInt16 {
    let fd = try Socket.listen(host: "127.0.0.1", port: 0)
    let port = Result { try Socket.localPort(fd.rawValue) }
    fd.close()
    return try port.get()
}
