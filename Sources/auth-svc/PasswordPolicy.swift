import Runtime

/// The rules a new password must meet, after Django's default validators: minimum length, not
/// entirely numeric, not a common password, not too similar to the username or email.
struct PasswordPolicy: Sendable {
    static let minimumLength = 8
    /// Django's `UserAttributeSimilarityValidator` default.
    static let maxSimilarity = 0.7

    let commonPasswords: Set<String>

    init(commonPasswords: Set<String>) { self.commonPasswords = commonPasswords }

    /// Loads a list with one password per line (Django's list is lower-cased already).
    init(contentsOfFile path: String) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var set = Set<String>()
        for line in text.split(whereSeparator: \.isNewline) {
            let word = line.trimmingWhitespace().lowercased()
            if !word.isEmpty { set.insert(word) }
        }
        self.init(commonPasswords: set)
    }

    /// Every rule the password breaks, as sentences for a person; empty when it is acceptable.
    func problems(password: String, username: String, email: String) -> [String] {
        var found: [String] = []
        if password.count < Self.minimumLength {
            found.append("This password is too short. It must contain at least \(Self.minimumLength) characters.")
        }
        if !password.isEmpty && password.allSatisfy(\.isNumber) {
            found.append("This password is entirely numeric.")
        }
        if commonPasswords.contains(password.lowercased().trimmingWhitespace()) {
            found.append("This password is too common.")
        }
        if let attribute = similarAttribute(password: password, username: username, email: email) {
            found.append("The password is too similar to the \(attribute).")
        }
        return found
    }

    /// The attribute the password resembles too closely, if any.
    func similarAttribute(password: String, username: String, email: String) -> String? {
        let pwd = Array(password.lowercased())
        for (name, value) in [("username", username), ("email address", email)] where !value.isEmpty {
            let lower = value.lowercased()
            // Django compares with every \W+-separated part and the whole value, so an email's
            // local part and domain labels count as well as the full address.
            var parts = lower.split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "_") }).map(String.init)
            parts.append(lower)
            for part in parts where !part.isEmpty {
                let other = Array(part)
                if Self.exceedsMaximumLengthRatio(pwd.count, other.count) { continue }
                if Self.quickRatio(pwd, other) >= Self.maxSimilarity { return name }
            }
        }
        return nil
    }

    /// Django's `exceeds_maximum_length_ratio`: a value far shorter than the password cannot be similar.
    static func exceedsMaximumLengthRatio(_ passwordLength: Int, _ valueLength: Int) -> Bool {
        let bound = maxSimilarity / 2 * Double(passwordLength)
        return passwordLength >= 10 * valueLength && Double(valueLength) < bound
    }

    /// `difflib.SequenceMatcher(a:b:).quick_ratio()`: 2·|a ∩ b| / (|a| + |b|) over multisets.
    static func quickRatio(_ a: [Character], _ b: [Character]) -> Double {
        guard !a.isEmpty || !b.isEmpty else { return 1 }
        var available: [Character: Int] = [:]
        for c in b { available[c, default: 0] += 1 }
        var matches = 0
        for c in a {
            if let n = available[c], n > 0 {
                available[c] = n - 1
                matches += 1
            }
        }
        return 2 * Double(matches) / Double(a.count + b.count)
    }
}
