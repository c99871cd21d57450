import Foundation

/// A raw RESP connection that `PSUBSCRIBE`s to every channel, so tests see exactly what room-svc
/// published, in order. Independent of the project's Redis module on purpose.
final class RedisSpy {
    private let fd: Int32
    private var buffer: [UInt8] = []

    init(port: UInt16) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else { throw HarnessError("redis connect failed: errno \(errno)") }
        let command = "*2\r\n$10\r\nPSUBSCRIBE\r\n$1\r\n*\r\n"
        _ = command.withCString { write(fd, $0, strlen($0)) }
        guard case .array(let confirm)? = try read(timeout: 5), confirm.count == 3 else { throw HarnessError("no psubscribe reply") }
    }

    deinit { close(fd) }

    /// The next published (channel, payload), or nil when nothing arrives within `timeout` seconds.
    func next(timeout: Double = 5) throws -> (channel: String, payload: String)? {
        guard case .array(let parts)? = try read(timeout: timeout), parts.count == 4,
              case .bulk(let channel) = parts[2], case .bulk(let payload) = parts[3]
        else { return nil }
        return (channel, payload)
    }

    /// The next event as parsed JSON.
    func nextJSON(timeout: Double = 5) throws -> (channel: String, json: [String: Any])? {
        guard let event = try next(timeout: timeout) else { return nil }
        let json = try JSONSerialization.jsonObject(with: Data(event.payload.utf8)) as? [String: Any] ?? [:]
        return (event.channel, json)
    }

    /// Every event that arrives until `quiet` seconds pass without one.
    func drain(quiet: Double = 0.3) throws -> [(channel: String, payload: String)] {
        var all: [(String, String)] = []
        while let event = try next(timeout: quiet) { all.append(event) }
        return all
    }

    private indirect enum Value {
        case bulk(String)
        case int(Int)
        case simple(String)
        case array([Value])
        case null
    }

    private func read(timeout: Double) throws -> Value? {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            var index = 0
            if let value = parse(&index) {
                buffer.removeFirst(index)
                return value
            }
            let remaining = deadline.timeIntervalSinceNow
            if remaining <= 0 { return nil }
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&pfd, 1, Int32(remaining * 1000) + 1) > 0 else { return nil }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let n = Glibc.read(fd, &chunk, chunk.count)
            guard n > 0 else { throw HarnessError("redis connection closed") }
            buffer += chunk[0..<n]
        }
    }

    private func line(_ index: inout Int) -> String? {
        var i = index
        while i + 1 < buffer.count {
            if buffer[i] == 13 && buffer[i + 1] == 10 {
                let text = String(decoding: buffer[index..<i], as: UTF8.self)
                index = i + 2
                return text
            }
            i += 1
        }
        return nil
    }

    private func parse(_ index: inout Int) -> Value? {
        guard index < buffer.count else { return nil }
        let type = buffer[index]
        var i = index + 1
        guard let head = line(&i) else { return nil }
        switch type {
        case UInt8(ascii: "+"): index = i; return .simple(head)
        case UInt8(ascii: ":"): index = i; return .int(Int(head) ?? 0)
        case UInt8(ascii: "$"):
            let n = Int(head) ?? -1
            if n < 0 { index = i; return .null }
            guard i + n + 2 <= buffer.count else { return nil }
            let text = String(decoding: buffer[i..<(i + n)], as: UTF8.self)
            index = i + n + 2
            return .bulk(text)
        case UInt8(ascii: "*"):
            var items: [Value] = []
            for _ in 0..<max(0, Int(head) ?? 0) {
                guard let item = parse(&i) else { return nil }
                items.append(item)
            }
            index = i
            return .array(items)
        default:
            index = i
            return .simple(head)
        }
    }
}

/// A raw RESP connection for setting up keys in tests (as relay-svc would write them).
final class RedisSpyClient {
    private let spy: RawRESP

    init(port: UInt16) throws { spy = try RawRESP(port: port) }

    /// Sends one command and waits for its reply line(s).
    func run(_ args: [String]) throws {
        var text = "*\(args.count)\r\n"
        for a in args { text += "$\(a.utf8.count)\r\n\(a)\r\n" }
        try spy.send(text)
        try spy.readReply()
    }
}

/// The bare socket under `RedisSpyClient`.
final class RawRESP {
    let fd: Int32
    init(port: UInt16) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else { throw HarnessError("redis connect failed") }
        var tv = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }
    deinit { close(fd) }
    func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        guard write(fd, bytes, bytes.count) == bytes.count else { throw HarnessError("redis write failed") }
    }
    /// Reads one simple reply (status, integer or error line); these tests send only such commands.
    func readReply() throws {
        var byte: UInt8 = 0
        var line: [UInt8] = []
        while true {
            guard Glibc.read(fd, &byte, 1) == 1 else { throw HarnessError("redis read failed") }
            line.append(byte)
            if line.suffix(2) == [13, 10] { break }
        }
        if line.first == UInt8(ascii: "-") { throw HarnessError("redis error: " + String(decoding: line, as: UTF8.self)) }
    }
}
