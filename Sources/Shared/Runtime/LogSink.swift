import Synchronization

/// Where log lines go: stderr in production, memory in tests.
public final class LogSink: Sendable {
    private let capturing: Bool
    private let descriptor: Int32
    private let lines = Mutex<[String]>([])

    private init(capturing: Bool, descriptor: Int32) {
        self.capturing = capturing
        self.descriptor = descriptor
    }

    /// Writes each line to stderr with one `write(2)`, so lines from threads never interleave.
    public static let standardError = LogSink(capturing: false, descriptor: 2)

    /// Keeps every line in memory; read them with `captured`.
    public static func memory() -> LogSink { LogSink(capturing: true, descriptor: -1) }

    /// Writes to a descriptor the caller owns and keeps open (tests use a file).
    static func writing(to descriptor: Int32) -> LogSink { LogSink(capturing: false, descriptor: descriptor) }

    public var captured: [String] { lines.withLock { $0 } }

    /// Takes one finished line without its newline. `line` is the caller's scratch buffer:
    /// the newline is appended in place so the common case costs no copy.
    func emit(_ line: inout [UInt8]) {
        if capturing {
            let text = String(decoding: line, as: UTF8.self)
            lines.withLock { $0.append(text) }
            return
        }
        line.append(0x0A)
        FileIO.writeAll(descriptor, line)
    }
}
