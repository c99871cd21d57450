/// The key=value fields of a log line, kept in the order they were given (no hashing, no sorting).
///
///     log.info("mail sent", ["mail.id": id, "attempt": "2"])
///
/// Keys are code constants and are written as they are; values are quoted when needed.
public struct LogMetadata: Sendable, ExpressibleByDictionaryLiteral {
    public private(set) var fields: [(key: String, value: String)]

    public init(dictionaryLiteral elements: (String, String)...) {
        fields = []
        fields.reserveCapacity(elements.count)
        for (key, value) in elements { fields.append((key, value)) }
    }

    /// The fields of a dictionary, sorted by key so the line is the same on every run.
    public init(_ dictionary: [String: String]) {
        fields = dictionary.sorted { $0.key < $1.key }.map { (key: $0.key, value: $0.value) }
    }

    public var isEmpty: Bool { fields.isEmpty }

    public func contains(key: String) -> Bool { fields.contains { $0.key == key } }

    public subscript(key: String) -> String? { fields.first { $0.key == key }?.value }

    /// Sets each field of `other`: a known key keeps its place and takes the new value, a new key
    /// goes at the end.
    public mutating func merge(_ other: LogMetadata) {
        if fields.isEmpty {
            fields = other.fields
            return
        }
        for field in other.fields {
            if let i = fields.firstIndex(where: { $0.key == field.key }) {
                fields[i].value = field.value
            } else {
                fields.append(field)
            }
        }
    }
}
