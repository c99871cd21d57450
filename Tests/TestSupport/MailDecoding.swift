import Foundation


/// Independent decoders for what the mail module encodes, so tests read messages like a mail client.
public enum MailDecoding {
    public static func quotedPrintable(_ text: String) -> String {
        var bytes: [UInt8] = []
        let input = Array(text.utf8)
        var i = 0
        while i < input.count {
            let b = input[i]
            if b == UInt8(ascii: "=") {
                if i + 2 < input.count, input[i + 1] == 0x0D, input[i + 2] == 0x0A {
                    i += 3  // soft line break
                    continue
                }
                if i + 2 < input.count, let v = UInt8(String(decoding: input[(i + 1)...(i + 2)], as: UTF8.self), radix: 16) {
                    bytes.append(v)
                    i += 3
                    continue
                }
            }
            bytes.append(b)
            i += 1
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Decodes every `=?UTF-8?B?…?=` word (and the folding between words).
    public static func headerText(_ value: String) -> String {
        let pattern = try! NSRegularExpression(pattern: #"=\?UTF-8\?B\?([A-Za-z0-9+/=]*)\?="#)
        let unfolded = value.replacingOccurrences(of: "?=\r\n =?", with: "?==?").replacingOccurrences(of: "?= =?", with: "?==?")
        var out = ""
        var last = unfolded.startIndex
        for match in pattern.matches(in: unfolded, range: NSRange(unfolded.startIndex..., in: unfolded)) {
            let whole = Range(match.range, in: unfolded)!
            out += unfolded[last..<whole.lowerBound]
            let b64 = String(unfolded[Range(match.range(at: 1), in: unfolded)!])
            out += String(decoding: Data(base64Encoded: b64) ?? Data(), as: UTF8.self)
            last = whole.upperBound
        }
        return out + unfolded[last...]
    }

    /// The parts of a multipart body: (headers text, decoded body).
    public static func parts(_ mail: String, boundary: String) -> [(headers: String, body: String)] {
        let sections = mail.components(separatedBy: "--\(boundary)")
        return sections.dropFirst().compactMap { section in
            if section.hasPrefix("--") { return nil }
            let pieces = section.components(separatedBy: "\r\n\r\n")
            guard pieces.count >= 2 else { return nil }
            let head = pieces[0]
            var body = pieces.dropFirst().joined(separator: "\r\n\r\n")
            if body.hasSuffix("\r\n") { body.removeLast(1) }
            if head.lowercased().contains("quoted-printable") { body = quotedPrintable(body) }
            if head.lowercased().contains("base64") {
                body = String(decoding: Data(base64Encoded: body.replacingOccurrences(of: "\r\n", with: "")) ?? Data(), as: UTF8.self)
            }
            return (head, body)
        }
    }

    public static func boundary(_ contentType: String) -> String? {
        guard let r = contentType.range(of: "boundary=\"") else { return nil }
        let rest = contentType[r.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }
}
