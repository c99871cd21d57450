/// Header fields in arrival order, looked up ignoring case (RFC 9110 §5.1).
public struct Headers: Sendable, Sequence {
    public private(set) var fields: [(name: String, value: String)] = []

    public init(_ fields: [(String, String)] = []) {
        self.fields = fields.map { (name: $0.0, value: $0.1) }
    }

    public mutating func add(_ name: String, _ value: String) { fields.append((name, value)) }

    /// Replaces every field of that name with one.
    public mutating func set(_ name: String, _ value: String) {
        remove(name)
        fields.append((name, value))
    }

    public mutating func remove(_ name: String) {
        fields.removeAll { Headers.same($0.name, name) }
    }

    /// The first value of the field, or nil.
    public subscript(_ name: String) -> String? {
        fields.first { Headers.same($0.name, name) }?.value
    }

    public func values(_ name: String) -> [String] {
        fields.filter { Headers.same($0.name, name) }.map(\.value)
    }

    public var count: Int { fields.count }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> { fields.makeIterator() }

    /// ASCII case-insensitive comparison, without allocating.
    static func same(_ a: String, _ b: String) -> Bool {
        let x = a.utf8, y = b.utf8
        guard x.count == y.count else { return false }
        for (c, d) in zip(x, y) where c != d {
            let lc = c | 0x20, ld = d | 0x20
            guard lc == ld, lc >= 0x61, lc <= 0x7A else { return false }
        }
        return true
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs: HTTP's optional white space (RFC 9110 §5.6.3).
    /// Much cheaper than Foundation's `trimmingCharacters(in:)`, which hot header paths cannot afford.
    public func trimmingOWS() -> String {
        let text = Substring(self)
        func isOWS(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 }
        guard let first = text.utf8.firstIndex(where: { !isOWS($0) }),
              let last = text.utf8.lastIndex(where: { !isOWS($0) }) else { return "" }
        return String(text[first...last])
    }
}
