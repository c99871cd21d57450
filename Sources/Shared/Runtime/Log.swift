/// A levelled logger that writes one logfmt line per event: time, level, service, a fixed
/// message, then key=value metadata.
///
///     log.info("login rejected", ["user.id": "\(id)", "reason": "bad_password"])
///     ts=2026-11-28T09:15:02.123Z level=info svc=auth-svc msg="login rejected" user.id=7 reason=bad_password
///
/// Fields come in the order given: the logger's own (`with`) first, then the event's; an event
/// field replaces a logger field of the same key. Never put passwords, tokens or cookies in the
/// metadata, and never a raw query string.
///
/// A line costs one buffer and one `write(2)`: the timestamp is formatted with arithmetic (no
/// `gmtime_r`, no `String` pieces) and the metadata is an ordered array, never a dictionary.
public struct Log: Sendable {
    public let service: String
    public let level: LogLevel
    public let sink: LogSink
    /// Metadata added to every line of this logger (for example `request.id`).
    public var metadata: LogMetadata

    public init(service: String, level: LogLevel = .info, sink: LogSink = .standardError, metadata: LogMetadata = [:]) {
        self.service = service
        self.level = level
        self.sink = sink
        self.metadata = metadata
    }

    /// A logger that adds `extra` to every line.
    public func with(_ extra: LogMetadata) -> Log {
        var copy = self
        copy.metadata.merge(extra)
        return copy
    }

    public func trace(_ message: @autoclosure () -> String, _ meta: @autoclosure () -> LogMetadata = [:]) {
        log(.trace, message(), meta())
    }
    public func debug(_ message: @autoclosure () -> String, _ meta: @autoclosure () -> LogMetadata = [:]) {
        log(.debug, message(), meta())
    }
    public func info(_ message: @autoclosure () -> String, _ meta: @autoclosure () -> LogMetadata = [:]) {
        log(.info, message(), meta())
    }
    public func warning(_ message: @autoclosure () -> String, _ meta: @autoclosure () -> LogMetadata = [:]) {
        log(.warning, message(), meta())
    }
    public func error(_ message: @autoclosure () -> String, _ meta: @autoclosure () -> LogMetadata = [:]) {
        log(.error, message(), meta())
    }

    public func isEnabled(_ level: LogLevel) -> Bool { level >= self.level }

    public func log(_ level: LogLevel, _ message: @autoclosure () -> String, _ meta: @autoclosure () -> LogMetadata = [:]) {
        guard level >= self.level else { return }
        var line = Log.format(time: .now(), level: level, service: service, message: message(),
                              metadata: metadata, event: meta())
        sink.emit(&line)
    }

    /// One line, without its newline.
    static func format(time: UTCTime, level: LogLevel, service: String, message: String,
                       metadata: LogMetadata, event: LogMetadata) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        out.append(contentsOf: "ts=".utf8)
        time.appendRFC3339(to: &out)
        out.append(contentsOf: " level=".utf8)
        out.append(contentsOf: level.name.utf8)
        out.append(contentsOf: " svc=".utf8)
        appendValue(service, to: &out)
        out.append(contentsOf: " msg=".utf8)
        appendValue(message, to: &out)
        for field in metadata.fields where event.isEmpty || !event.contains(key: field.key) {
            appendField(field.key, field.value, to: &out)
        }
        for field in event.fields {
            appendField(field.key, field.value, to: &out)
        }
        return out
    }

    private static func appendField(_ key: String, _ value: String, to out: inout [UInt8]) {
        out.append(0x20)
        out.append(contentsOf: key.utf8)
        out.append(0x3D)
        appendValue(value, to: &out)
    }
}
