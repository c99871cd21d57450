import FoundationEssentials

/// The MIME encodings a message needs: quoted-printable bodies (RFC 2045 §6.7), base64 bodies and
/// RFC 2047 encoded-words for non-ASCII header text.
public enum MailEncoding {
    /// Normalises any mix of CRLF, CR and LF line endings to CRLF.
    public static func crlf(_ text: String) -> String {
        text.replacing("\r\n", with: "\n").replacing("\r", with: "\n")
            .replacing("\n", with: "\r\n")
    }

    /// Quoted-printable with CRLF hard breaks and `=` soft breaks so no line exceeds 76 characters.
    public static func quotedPrintable(_ text: String) -> String {
        var out = ""
        let lines = crlf(text).components(separatedBy: "\r\n")
        for (index, line) in lines.enumerated() {
            if index > 0 { out += "\r\n" }
            var current = ""
            let bytes = Array(line.utf8)
            for (i, b) in bytes.enumerated() {
                let last = i == bytes.count - 1
                var piece: String
                if (b == 0x20 || b == 0x09) && last {
                    piece = hex(b)  // trailing white space would be stripped in transit
                } else if (b >= 33 && b <= 126 && b != 0x3D) || b == 0x20 || b == 0x09 {
                    piece = String(UnicodeScalar(b))
                } else {
                    piece = hex(b)
                }
                if i == 0 && b == 0x2E { piece = hex(b) }  // a leading dot never meets SMTP dot-stuffing
                if current.utf8.count + piece.utf8.count > (last ? 76 : 75) {
                    out += current + "=\r\n"
                    current = ""
                }
                current += piece
            }
            out += current
        }
        return out
    }

    /// Base64 in lines of 76 characters separated by CRLF.
    public static func base64(_ bytes: [UInt8]) -> String {
        let encoded = Data(bytes).base64EncodedString()
        var lines: [Substring] = []
        var rest = Substring(encoded)
        while !rest.isEmpty {
            lines.append(rest.prefix(76))
            rest = rest.dropFirst(76)
        }
        return lines.joined(separator: "\r\n")
    }

    /// A header text value: unchanged when it is short printable ASCII, else RFC 2047
    /// `=?UTF-8?B?…?=` words (never splitting a character), folded with CRLF SP.
    public static func headerText(_ text: String) -> String {
        // By scalars: "\r\n" is one Character, which a Character replace would leave alone.
        let clean = String(String.UnicodeScalarView(text.unicodeScalars.map { $0 == "\r" || $0 == "\n" ? " " : $0 }))
        if clean.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7F }) && clean.utf8.count <= 70
            && !clean.contains("=?")
        {
            return clean
        }
        return encodedWords(clean)
    }

    /// A display name: as is when it is a plain atom sequence, quoted when it has specials, encoded
    /// when it has non-ASCII.
    static func phrase(_ name: String) -> String {
        let scalars = name.unicodeScalars
        if !scalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7F }) { return encodedWords(name) }
        let atext = scalars.allSatisfy { $0.isASCIIAlphanumeric || " !#$%&'*+-/=?^_`{|}~".unicodeScalars.contains($0) }
        if atext && !name.contains("=?") { return name }
        return "\"" + name.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"") + "\""
    }

    static func encodedWords(_ text: String) -> String {
        var words: [String] = []
        var chunk: [UInt8] = []
        for character in text {
            let bytes = Array(String(character).utf8)
            if chunk.count + bytes.count > 39 {  // 39 bytes → 52 base64 chars → a 64-char word, room for "Subject: "
                words.append(word(chunk))
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty || words.isEmpty { words.append(word(chunk)) }
        return words.joined(separator: "\r\n ")
    }

    private static func word(_ bytes: [UInt8]) -> String { "=?UTF-8?B?\(Data(bytes).base64EncodedString())?=" }

    private static func hex(_ b: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return "=" + String(digits[Int(b >> 4)]) + String(digits[Int(b & 0xF)])
    }
}
