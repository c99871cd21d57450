/// A mailbox: an address with an optional display name, e.g. `Chat <noreply@example.com>`.
public struct MailAddress: Sendable, Equatable {
    public var name: String?
    public var address: String

    /// Fails when the address is not `local@domain` or either part holds CR, LF, `<`, `>` or
    /// other characters that could break out of a header line.
    public init?(name: String? = nil, address: String) {
        guard MailAddress.isSafe(address) else { return nil }
        let name = (name ?? "").trimmingSpaces
        if name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) { return nil }
        self.name = name.isEmpty ? nil : name
        self.address = address
    }

    /// Parses `Name <local@domain>`, `"Name" <local@domain>`, `<local@domain>` or `local@domain`.
    public init?(parsing text: String) {
        let trimmed = text.trimmingSpaces
        if trimmed.hasSuffix(">"), let open = trimmed.lastIndex(of: "<") {
            let address = String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)])
            var name = String(trimmed[..<open]).trimmingSpaces
            if name.count >= 2, name.hasPrefix("\""), name.hasSuffix("\"") { name = String(name.dropFirst().dropLast()) }
            self.init(name: name, address: address)
        } else {
            self.init(address: trimmed)
        }
    }

    /// An envelope/header-safe address: one `@`, printable ASCII without spaces, brackets, quotes
    /// or commas. (International addresses would need SMTPUTF8, which we do not send.)
    public static func isSafe(_ address: String) -> Bool {
        let scalars = address.unicodeScalars
        guard (3...254).contains(scalars.count), scalars.filter({ $0 == "@" }).count == 1,
            let at = address.firstIndex(of: "@"), at != address.startIndex, address.index(after: at) != address.endIndex
        else { return false }
        return scalars.allSatisfy { s in
            s.value > 0x20 && s.value < 0x7F && !"<>()[]\\,;:\"".unicodeScalars.contains(s)
        }
    }

    /// The header form: `Name <addr>` with the name quoted or encoded as needed.
    public var headerValue: String {
        guard let name else { return "<\(address)>" }
        return "\(MailEncoding.phrase(name)) <\(address)>"
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}
