#if canImport(Glibc)
import Glibc
#endif

/// Owns one open descriptor. Its only exit is the consuming `close()`; a descriptor that dies
/// while still open is a bug, so debug builds trap on it (release builds close it quietly).
///
///     let fd = try Socket.listen(host: "127.0.0.1", port: 0)
///     let port = Result { try Socket.localPort(fd.rawValue) }
///     fd.close()             // or hand it on with `consume`
public struct FileDescriptor: ~Copyable {
    public let rawValue: Int32

    public init(_ rawValue: Int32) { self.rawValue = rawValue }

    /// Closes the descriptor. close(2) on Linux releases the descriptor even when it reports
    /// EINTR, so the call is never retried.
    public consuming func close() {
        _ = Glibc.close(rawValue)
        discard self
    }

    /// Gives up ownership without closing, e.g. when another owner (a C library) takes over.
    public consuming func release() -> Int32 {
        let raw = rawValue
        discard self
        return raw
    }

    deinit {
        assertionFailure("FileDescriptor \(rawValue) leaked: call close()")
        _ = Glibc.close(rawValue)
    }
}
