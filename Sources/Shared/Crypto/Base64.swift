/// Base64 of RFC 4648: the standard alphabet with padding (§4) and the URL-safe alphabet without
/// padding (§5). Decoding is strict: no whitespace, no foreign characters, padding only where §4
/// puts it, and the unused low bits of the last character must be zero (§3.5), so every byte string
/// has exactly one accepted encoding.
public enum Base64 {
    private static let standardAlphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let urlAlphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
    private static let standardTable = decodeTable(standardAlphabet)
    private static let urlTable = decodeTable(urlAlphabet)

    /// Standard alphabet, padded with `=` to a multiple of four characters.
    public static func encode(_ bytes: [UInt8]) -> String { encode(bytes, standardAlphabet, pad: true) }

    /// Decodes the padded standard alphabet; nil for anything that is not exactly canonical base64.
    public static func decode(_ text: String) -> [UInt8]? {
        var chars = Array(text.utf8)
        guard chars.count % 4 == 0 else { return nil }
        var padding = 0
        while padding < 2, chars.last == UInt8(ascii: "=") {
            chars.removeLast()
            padding += 1
        }
        return decode(chars, standardTable)
    }

    /// URL-safe alphabet (`-`, `_`) without padding, as used in tokens and URLs.
    public static func urlSafeEncode(_ bytes: [UInt8]) -> String { encode(bytes, urlAlphabet, pad: false) }

    /// Decodes the URL-safe alphabet without padding; nil for `=` or any other non-canonical input.
    public static func urlSafeDecode(_ text: String) -> [UInt8]? { decode(Array(text.utf8), urlTable) }

    private static func encode(_ bytes: [UInt8], _ alphabet: [UInt8], pad: Bool) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index + 3 <= bytes.count {
            let n = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)], alphabet[Int(n & 63)]]
            index += 3
        }
        switch bytes.count - index {
        case 1:
            let n = UInt32(bytes[index]) << 16
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)]]
            if pad { out += Array("==".utf8) }
        case 2:
            let n = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)]]
            if pad { out.append(UInt8(ascii: "=")) }
        default:
            break
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes unpadded characters. A final group of 2 or 3 characters carries 1 or 2 bytes.
    private static func decode(_ chars: [UInt8], _ table: [UInt8]) -> [UInt8]? {
        guard chars.count % 4 != 1 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(chars.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        for char in chars {
            let value = table[Int(char)]
            guard value != 0xFF else { return nil }
            accumulator = accumulator << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
                accumulator &= (1 << UInt32(bits)) - 1
            }
        }
        guard accumulator == 0 else { return nil }  // §3.5: leftover bits must be zero
        return out
    }

    private static func decodeTable(_ alphabet: [UInt8]) -> [UInt8] {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, char) in alphabet.enumerated() { table[Int(char)] = UInt8(index) }
        return table
    }
}
