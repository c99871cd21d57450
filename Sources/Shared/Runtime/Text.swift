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

extension StringProtocol {
    /// Without leading and trailing Unicode white space (`White_Space`, plus U+200B ZERO WIDTH SPACE);
    /// line breaks count only when `andNewlines` is true. The same result as Foundation's
    /// `trimmingCharacters(in: .whitespaces)` and `.whitespacesAndNewlines`.
    public func trimmingWhitespace(andNewlines: Bool = false) -> String {
        func trimmed(_ s: Unicode.Scalar) -> Bool {
            (s.properties.isWhitespace || s == "\u{200B}") && (andNewlines || !s.isNewline)
        }
        let scalars = Substring(self).unicodeScalars
        guard let first = scalars.firstIndex(where: { !trimmed($0) }),
              let last = scalars.lastIndex(where: { !trimmed($0) }) else { return "" }
        return String(scalars[first...last])
    }
}

extension Unicode.Scalar {
    /// LF, VT, FF, CR, NEL, LINE SEPARATOR and PARAGRAPH SEPARATOR.
    public var isNewline: Bool {
        (0x0A...0x0D).contains(value) || value == 0x85 || value == 0x2028 || value == 0x2029
    }

    /// `A`–`Z`, `a`–`z` or `0`–`9`: what is safe in file names, log fields and MIME atoms.
    public var isASCIIAlphanumeric: Bool {
        ("a"..."z").contains(self) || ("A"..."Z").contains(self) || ("0"..."9").contains(self)
    }
}
