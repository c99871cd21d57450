/// Byte classes of RFC 9110 and RFC 9112, shared by the parser and the response encoder.
/// The parser's files import no project module (scripts/fuzz.sh compiles them on their own), so the
/// hex digit test is here rather than Runtime's `Hex.value`.
extension RequestParser {
    /// tchar of RFC 9110 §5.6.2.
    @inline(__always) static func isTokenByte(_ c: UInt8) -> Bool {
        switch c {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
        case 0x21, 0x23, 0x24, 0x25, 0x26, 0x27, 0x2A, 0x2B, 0x2D, 0x2E, 0x5E, 0x5F, 0x60, 0x7C, 0x7E: true
        default: false
        }
    }

    /// field-vchar, SP, HTAB and obs-text; no CR, LF, NUL or other controls (RFC 9110 §5.5).
    @inline(__always) static func isFieldByte(_ c: UInt8) -> Bool {
        c == 0x09 || (c >= 0x20 && c != 0x7F)
    }

    @inline(__always) static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }

    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: c - 0x30
        case 0x41...0x46: c - 0x41 + 10
        case 0x61...0x66: c - 0x61 + 10
        default: nil
        }
    }

    static func equalsLower<C: Collection<UInt8>>(_ bytes: C, _ lower: StaticString) -> Bool {
        guard bytes.count == lower.utf8CodeUnitCount else { return false }
        return lower.withUTF8Buffer { expected in
            zip(bytes, expected).allSatisfy { RequestParser.lower($0) == $1 }
        }
    }

    @inline(__always) static func lower(_ c: UInt8) -> UInt8 { c >= 0x41 && c <= 0x5A ? c | 0x20 : c }

    static func hasPrefixIgnoringCase(_ text: String, _ prefix: String) -> Bool {
        let t = text.utf8, p = prefix.utf8
        guard t.count >= p.count else { return false }
        return zip(t, p).allSatisfy { RequestParser.lower($0) == $1 }
    }
}
