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
