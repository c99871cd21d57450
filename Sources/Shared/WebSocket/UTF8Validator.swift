/// An incremental UTF-8 validator (RFC 3629 §4): rejects overlong forms, surrogates (U+D800–DFFF)
/// and anything above U+10FFFF. Bytes may arrive in any split, e.g. across message fragments.
public struct UTF8Validator: Sendable {
    /// Continuation bytes still expected for the current scalar.
    private var needed = 0
    /// Allowed range of the next continuation byte; narrower than 80–BF only right after
    /// E0, ED, F0 and F4, which is where overlongs, surrogates and out-of-range values are excluded.
    private var lower: UInt8 = 0x80
    private var upper: UInt8 = 0xBF

    public init() {}

    /// True when no scalar is left unfinished.
    public var isComplete: Bool { needed == 0 }

    /// Feeds one byte; false if the bytes so far can no longer be valid UTF-8.
    @inline(__always)
    public mutating func feed(_ byte: UInt8) -> Bool {
        if needed == 0 {
            switch byte {
            case 0x00...0x7F: return true
            case 0xC2...0xDF: needed = 1
            case 0xE0: needed = 2; lower = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: needed = 2
            case 0xED: needed = 2; upper = 0x9F
            case 0xF0: needed = 3; lower = 0x90
            case 0xF1...0xF3: needed = 3
            case 0xF4: needed = 3; upper = 0x8F
            default: return false  // 80–BF stray continuation, C0–C1 overlong, F5–FF out of range
            }
            return true
        }
        guard byte >= lower, byte <= upper else { return false }
        needed -= 1
        lower = 0x80
        upper = 0xBF
        return true
    }

    /// Feeds bytes; false if they make the input invalid.
    public mutating func feed<C: Collection<UInt8>>(_ bytes: C) -> Bool {
        for byte in bytes where !feed(byte) { return false }
        return true
    }

    /// Whether `bytes` are complete, valid UTF-8.
    public static func isValid<C: Collection<UInt8>>(_ bytes: C) -> Bool {
        var validator = UTF8Validator()
        return validator.feed(bytes) && validator.isComplete
    }
}
