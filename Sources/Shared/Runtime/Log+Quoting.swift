extension Log {
    /// Quotes a value when it holds spaces, quotes, `=`, `\` or control characters (logfmt style).
    static func quote(_ value: String) -> String {
        var out: [UInt8] = []
        appendValue(value, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends `value` as a logfmt value: as it is when plain, else in double quotes with `"`, `\`
    /// and control characters escaped (`\n`, `\r`, `\t`, `\u001b`), so a value never breaks the line.
    static func appendValue(_ value: String, to out: inout [UInt8]) {
        var value = value  // withUTF8 may make the storage contiguous
        value.withUTF8 { bytes in
            guard bytes.isEmpty || bytes.contains(where: needsQuotes) else {
                out.append(contentsOf: bytes)
                return
            }
            out.append(0x22)
            for byte in bytes {
                switch byte {
                case 0x22: out.append(0x5C); out.append(0x22)
                case 0x5C: out.append(0x5C); out.append(0x5C)
                case 0x0A: out.append(0x5C); out.append(UInt8(ascii: "n"))
                case 0x0D: out.append(0x5C); out.append(UInt8(ascii: "r"))
                case 0x09: out.append(0x5C); out.append(UInt8(ascii: "t"))
                case 0..<0x20, 0x7F:
                    out.append(contentsOf: "\\u00".utf8)
                    out.append(hexDigits[Int(byte >> 4)])
                    out.append(hexDigits[Int(byte & 0x0F)])
                default:
                    out.append(byte)  // UTF-8 of non-ASCII characters passes through unchanged
                }
            }
            out.append(0x22)
        }
    }

    private static func needsQuotes(_ byte: UInt8) -> Bool {
        byte <= 0x20 || byte == 0x22 || byte == 0x3D || byte == 0x5C || byte == 0x7F
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
}
