import FoundationEssentials

/// JSON helpers shared by handlers: one encoder configuration for the whole API.
public enum JSON {
    /// Encodes a value as compact JSON with sorted keys.
    public static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }

    /// Decodes JSON bytes, mapping every failure to a 400 in the contract's shape.
    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws(HTTPError) -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(bytes))
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            let field = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw HTTPError.validation([field.isEmpty ? "body" : field: "Has the wrong type."])
        } catch let DecodingError.keyNotFound(key, _) {
            throw HTTPError.validation([key.stringValue: "This field is required."])
        } catch {
            throw HTTPError.badRequest("invalid_json", "The request body is not valid JSON.")
        }
    }

    /// A JSON string literal for `text`, escaped per RFC 8259 §7.
    public static func quote(_ text: String) -> String {
        var out = "\""
        out.reserveCapacity(text.utf8.count + 2)
        for u in text.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 {
                    let hex = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        out += "\""
        return out
    }
}
