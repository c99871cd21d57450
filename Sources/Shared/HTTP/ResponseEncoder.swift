#if canImport(Glibc)
import Glibc
#endif

/// Writes response heads into a byte buffer without going through `String` formatting.
enum ResponseEncoder {
    static func append(_ text: String, to out: inout [UInt8]) {
        out.append(contentsOf: text.utf8)
    }

    static func append(_ value: Int, to out: inout [UInt8]) {
        if value < 10 {
            out.append(UInt8(truncatingIfNeeded: 0x30 + value))
            return
        }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = value
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buf in
            while n > 0 && count < 20 {
                buf[19 - count] = UInt8(truncatingIfNeeded: 0x30 + n % 10)
                n /= 10
                count += 1
            }
            out.append(contentsOf: buf[(20 - count)...])
        }
    }

    /// The status line, e.g. `HTTP/1.1 200 OK`.
    static func statusLine(_ status: HTTPStatus, to out: inout [UInt8]) {
        append("HTTP/1.1 ", to: &out)
        append(status.code, to: &out)
        out.append(0x20)
        append(status.reason, to: &out)
        out.append(0x0D)
        out.append(0x0A)
    }

    static func header(_ name: String, _ value: String, to out: inout [UInt8]) {
        append(name, to: &out)
        out.append(0x3A)
        out.append(0x20)
        append(value, to: &out)
        out.append(0x0D)
        out.append(0x0A)
    }

    /// True when a handler's header can be written as is: a token name and a value without
    /// CR, LF or NUL (which would let a value inject headers).
    static func isSafe(_ name: String, _ value: String) -> Bool {
        guard !name.isEmpty, name.utf8.allSatisfy(RequestParser.isTokenByte) else { return false }
        return value.utf8.allSatisfy(RequestParser.isFieldByte)
    }

    static func hasBody(_ status: Int) -> Bool { !(status < 200 || status == 204 || status == 304) }
}

/// The `Date:` header line, formatted at most once per second (RFC 9110 §6.6.1).
struct DateCache {
    private var second = -1
    private(set) var line: [UInt8] = []

    mutating func current() -> [UInt8] {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME_COARSE, &ts)
        if ts.tv_sec != second {
            second = ts.tv_sec
            line = Array("Date: \(UTCTimeFormat.httpDate(seconds: Int64(ts.tv_sec)))\r\n".utf8)
        }
        return line
    }
}

import Runtime

enum UTCTimeFormat {
    static func httpDate(seconds: Int64) -> String { UTCTime(milliseconds: seconds * 1000).httpDate }
}
