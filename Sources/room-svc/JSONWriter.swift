import HTTP

/// Builds one JSON object as text, field by field. The API objects of this service are written by
/// hand instead of through `JSONEncoder`: a message is encoded on every send and every history row,
/// and this is several times faster while keeping one fixed key order.
struct JSONWriter {
    private(set) var text = "{"
    private var empty = true

    private mutating func key(_ name: StaticString) {
        if !empty { text += "," }
        empty = false
        text += "\""
        text += name.description
        text += "\":"
    }

    mutating func int(_ name: StaticString, _ value: Int) {
        key(name)
        text += String(value)
    }

    mutating func int(_ name: StaticString, _ value: Int?) {
        key(name)
        text += value.map { String($0) } ?? "null"
    }

    mutating func string(_ name: StaticString, _ value: String) {
        key(name)
        text += JSON.quote(value)
    }

    mutating func string(_ name: StaticString, _ value: String?) {
        key(name)
        text += value.map { JSON.quote($0) } ?? "null"
    }

    mutating func bool(_ name: StaticString, _ value: Bool) {
        key(name)
        text += value ? "true" : "false"
    }

    /// A value that is already JSON text (a nested object or array), or null.
    mutating func raw(_ name: StaticString, _ json: String?) {
        key(name)
        text += json ?? "null"
    }

    mutating func finish() -> String {
        text += "}"
        return text
    }

    /// `[a,b,c]` from elements that are already JSON text.
    static func array(_ elements: [String]) -> String {
        "[" + elements.joined(separator: ",") + "]"
    }
}
