#if canImport(Glibc)
import Glibc
#endif

/// A failed system call: the operation and the `errno` captured right after it.
public struct SystemError: Error, CustomStringConvertible, Sendable, Equatable {
    public var operation: String
    public var errno: Int32

    public init(_ operation: String, errno: Int32) {
        self.operation = operation
        self.errno = errno
    }

    public var description: String {
        let text = strerror(errno).map { String(cString: $0) } ?? "unknown error"
        return "\(operation): \(text) (errno \(errno))"
    }
}

/// Runs a syscall. Retries `EINTR`, returns nil when it would block (`EAGAIN`, which is
/// `EWOULDBLOCK` on Linux), and captures errno before anything else can change it.
@inlinable
public func sys<T: FixedWidthInteger>(_ op: StaticString, _ call: () -> T) throws(SystemError) -> T? {
    while true {
        let result = call()
        if result != -1 { return result }
        let code = Glibc.errno
        if code == EINTR { continue }
        if code == EAGAIN { return nil }
        throw SystemError("\(op)", errno: code)
    }
}
