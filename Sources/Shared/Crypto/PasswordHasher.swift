/// Hashes and verifies passwords in Django's `PBKDF2PasswordHasher` format, so that password hashes
/// move between this app and a Django deployment unchanged:
///
///     pbkdf2_sha256$<iterations>$<salt>$<base64 of the 32-byte PBKDF2-HMAC-SHA256 key>
///
/// The password enters PBKDF2 as its UTF-8 bytes and the salt as its UTF-8 bytes, as Django's
/// `force_bytes` does. All methods are slow on purpose (one PBKDF2 run at the configured or stored
/// count): call them on a worker thread, never on an event loop.
public struct PasswordHasher: Sendable {
    /// The algorithm name in the first field, as Django's `PBKDF2PasswordHasher.algorithm`.
    public static let algorithm = "pbkdf2_sha256"
    /// Stored hashes claiming more iterations than this are refused rather than run: a hash is data,
    /// and data must not be able to make a verify take minutes.
    public static let maxIterations = 20_000_000
    /// Salt length of Django's `salt()`: ceil(128 bits / log2(62)) = 22 alphanumeric characters.
    public static let saltLength = 22

    /// The count used for new hashes and by `burnTime`.
    public let iterations: Int

    public init(iterations: Int = 600_000) {
        precondition(iterations >= 1 && iterations <= Self.maxIterations, "password iterations out of range")
        self.iterations = iterations
    }

    /// A new Django-format hash with a fresh random salt.
    public func hash(_ password: String) -> String {
        hash(password, salt: SecureRandom.string(length: Self.saltLength))
    }

    /// A Django-format hash with the given salt (non-empty, no `$`). For tests and imports; new
    /// passwords should use `hash(_:)`.
    public func hash(_ password: String, salt: String) -> String {
        precondition(!salt.isEmpty && !salt.utf8.contains(UInt8(ascii: "$")), "salt must be non-empty without '$'")
        let key = derive(password, salt: salt, iterations: iterations)
        return "\(Self.algorithm)$\(iterations)$\(salt)$\(Base64.encode(key))"
    }

    /// True when `password` matches `encoded`. Any other format, a malformed field or an iteration
    /// count above `maxIterations` gives false. The keys are compared in constant time.
    ///
    /// A false answer costs at least as much as a verify at the configured count, whatever `encoded`
    /// holds (an unusable or foreign hash, or an old hash with fewer iterations, as Django's
    /// `harden_runtime` does), so timing does not tell which accounts have which kind of hash.
    public func verify(_ password: String, encoded: String) -> Bool {
        guard let parsed = Encoded(encoded) else {
            burnTime(password)
            return false
        }
        let key = derive(password, salt: parsed.salt, iterations: parsed.iterations)
        if constantTimeEquals(key, parsed.key) { return true }
        if parsed.iterations < iterations {
            _ = derive(password, salt: parsed.salt, iterations: iterations - parsed.iterations)
        }
        return false
    }

    /// True when `encoded` should be replaced by a fresh hash after a successful login: it uses fewer
    /// iterations than configured, or is not a hash this type can read.
    public func needsUpgrade(_ encoded: String) -> Bool {
        guard let parsed = Encoded(encoded) else { return true }
        return parsed.iterations < iterations
    }

    /// Spends the same time as a `verify` against a hash at the configured count, for logins of
    /// unknown users, so response times do not reveal which usernames exist.
    public func burnTime(_ password: String) {
        let key = derive(password, salt: "burn-time-salt-000000", iterations: iterations)
        _ = constantTimeEquals(key, Self.burnReference)
    }

    private static let burnReference = [UInt8](repeating: 0, count: 32)

    private func derive(_ password: String, salt: String, iterations: Int) -> [UInt8] {
        PBKDF2.sha256(password: Array(password.utf8), salt: Array(salt.utf8), iterations: iterations, length: 32)
    }

    /// A strictly parsed `pbkdf2_sha256$…` string.
    struct Encoded {
        var iterations: Int
        var salt: String
        var key: [UInt8]

        init?(_ encoded: String) {
            let fields = encoded.split(separator: "$", omittingEmptySubsequences: false)
            guard fields.count == 4, fields[0] == PasswordHasher.algorithm else { return nil }
            let count = fields[1].utf8
            // Decimal digits only, no sign, no leading zero (Django writes `%d`).
            guard !count.isEmpty, count.count <= 9, count.first != UInt8(ascii: "0"),
                count.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
                let iterations = Int(fields[1]), iterations <= PasswordHasher.maxIterations
            else { return nil }
            guard !fields[2].isEmpty, fields[2].utf8.count <= 256 else { return nil }
            guard let key = Base64.decode(String(fields[3])), key.count == 32 else { return nil }
            self.iterations = iterations
            self.salt = String(fields[2])
            self.key = key
        }
    }
}
