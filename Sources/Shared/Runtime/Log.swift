import Foundation
import Synchronization

/// Log levels, lowest first.
public enum LogLevel: Int, Comparable, Sendable, CaseIterable {
    case trace, debug, info, warning, error

    public init?(name: String) {
        switch name.lowercased() {
        case "trace": self = .trace
        case "debug": self = .debug
        case "info": self = .info
        case "warning", "warn": self = .warning
        case "error": self = .error
        default: return nil
        }
    }

    public var name: String {
        switch self {
        case .trace: "trace"
        case .debug: "debug"
        case .info: "info"
        case .warning: "warning"
        case .error: "error"
        }
    }

    public static func < (a: LogLevel, b: LogLevel) -> Bool { a.rawValue < b.rawValue }
}

/// Where log lines go: stderr in production, memory in tests.
public final class LogSink: Sendable {
    private let capturing: Bool
    private let lines = Mutex<[String]>([])

    private init(capturing: Bool) { self.capturing = capturing }

    /// Writes each line to stderr with one `write(2)`, so lines from threads never interleave.
    public static let standardError = LogSink(capturing: false)

    /// Keeps every line in memory; read them with `captured`.
    public static func memory() -> LogSink { LogSink(capturing: true) }

    public var captured: [String] { lines.withLock { $0 } }

    func emit(_ line: String) {
        if capturing {
            lines.withLock { $0.append(line) }
            return
        }
        var bytes = Array(line.utf8)
        bytes.append(0x0A)
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = write(2, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 { if errno == EINTR { continue } else { return } }
                offset += n
            }
        }
    }
}

/// A levelled logger that writes one line per event: a fixed message plus key=value metadata.
///
///     log.info("login rejected", ["user.id": "\(id)", "reason": "bad_password"])
///
/// Never put passwords, tokens or cookies in the metadata.
public struct Log: Sendable {
    public let service: String
    public let level: LogLevel
    public let sink: LogSink
    /// Metadata added to every line of this logger (for example `request.id`).
    public var metadata: [String: String]

    public init(service: String, level: LogLevel = .info, sink: LogSink = .standardError, metadata: [String: String] = [:]) {
        self.service = service
        self.level = level
        self.sink = sink
        self.metadata = metadata
    }

    /// A logger that adds `extra` to every line.
    public func with(_ extra: [String: String]) -> Log {
        var copy = self
        copy.metadata.merge(extra) { _, new in new }
        return copy
    }

    public func trace(_ message: @autoclosure () -> String, _ meta: @autoclosure () -> [String: String] = [:]) {
        log(.trace, message(), meta())
    }
    public func debug(_ message: @autoclosure () -> String, _ meta: @autoclosure () -> [String: String] = [:]) {
        log(.debug, message(), meta())
    }
    public func info(_ message: @autoclosure () -> String, _ meta: @autoclosure () -> [String: String] = [:]) {
        log(.info, message(), meta())
    }
    public func warning(_ message: @autoclosure () -> String, _ meta: @autoclosure () -> [String: String] = [:]) {
        log(.warning, message(), meta())
    }
    public func error(_ message: @autoclosure () -> String, _ meta: @autoclosure () -> [String: String] = [:]) {
        log(.error, message(), meta())
    }

    public func isEnabled(_ level: LogLevel) -> Bool { level >= self.level }

    public func log(_ level: LogLevel, _ message: @autoclosure () -> String, _ meta: @autoclosure () -> [String: String] = [:]) {
        guard level >= self.level else { return }
        var line = "ts=\(UTCTime.now().rfc3339) level=\(level.name) svc=\(service) msg=\(Log.quote(message()))"
        let fields = metadata.merging(meta()) { _, new in new }
        for key in fields.keys.sorted() {
            line += " \(key)=\(Log.quote(fields[key]!))"
        }
        sink.emit(line)
    }

    /// Quotes a value when it holds spaces, quotes, `=` or control characters (logfmt style).
    static func quote(_ value: String) -> String {
        var needsQuotes = value.isEmpty
        for u in value.unicodeScalars where u == " " || u == "\"" || u == "=" || u == "\\" || u.value < 0x20 || u.value == 0x7F {
            needsQuotes = true
            break
        }
        guard needsQuotes else { return value }
        var out = "\""
        for u in value.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 || u.value == 0x7F {
                    out += String(format: "\\u%04x", u.value)
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }
}
