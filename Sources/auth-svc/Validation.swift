import Runtime

/// Field rules of the Accounts API, with the messages a person sees.
enum Validation {
    static let usernameRule = "Use 3 to 32 characters: letters, digits, and _ . -"

    static func usernameProblem(_ username: String) -> String? {
        let bytes = Array(username.utf8)
        guard (3...32).contains(bytes.count) else { return usernameRule }
        for b in bytes {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "-"):
                continue
            default:
                return usernameRule
            }
        }
        return nil
    }

    /// A practical check (RFC 5321 lengths, one `@`, a dotted domain of letters, digits and hyphens,
    /// no spaces or control characters); the reset mail is the real proof of ownership.
    static func emailProblem(_ email: String) -> String? {
        let invalid = "Enter a valid email address."
        guard email.utf8.count <= 254 else { return invalid }
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return invalid }
        let local = parts[0], domain = parts[1]
        guard !local.isEmpty, local.utf8.count <= 64 else { return invalid }
        for u in local.unicodeScalars where u.value <= 0x20 || u.value == 0x7F || "\"(),:;<>[\\]".unicodeScalars.contains(u) {
            return invalid
        }
        if local.hasPrefix(".") || local.hasSuffix(".") || local.contains("..") { return invalid }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return invalid }
        for label in labels {
            guard !label.isEmpty, label.utf8.count <= 63, !label.hasPrefix("-"), !label.hasSuffix("-") else { return invalid }
            for u in label.unicodeScalars {
                let ok = (u.value >= 0x80 && u.properties.isAlphabetic) || ("a"..."z").contains(u) || ("A"..."Z").contains(u)
                    || ("0"..."9").contains(u) || u == "-"
                if !ok { return invalid }
            }
        }
        return nil
    }

    static func displayNameProblem(_ name: String) -> String? {
        let trimmed = name.trimmingWhitespace(andNewlines: true)
        guard (1...64).contains(trimmed.count) else { return "Use 1 to 64 characters." }
        if hasControlCharacters(trimmed, allowNewlines: false) { return "Control characters are not allowed." }
        return nil
    }

    static func bioProblem(_ bio: String) -> String? {
        guard bio.count <= 200 else { return "Use at most 200 characters." }
        if hasControlCharacters(bio, allowNewlines: true) { return "Control characters are not allowed." }
        return nil
    }

    static func hasControlCharacters(_ text: String, allowNewlines: Bool) -> Bool {
        text.unicodeScalars.contains { u in
            if allowNewlines && u == "\n" { return false }
            return u.value < 0x20 || (0x7F...0x9F).contains(u.value) || u == "\u{2028}" || u == "\u{2029}"
        }
    }
}
