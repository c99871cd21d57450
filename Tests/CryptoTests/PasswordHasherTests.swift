import Foundation
import Testing
@testable import Crypto

struct PasswordHasherTests {
    struct Fixture: Decodable {
        struct Entry: Decodable { var password: String; var iterations: Int; var encoded: String }
        var django: String
        var hashes: [Entry]
    }

    /// Made by `scripts/make-django-fixture.py` with Django's own `make_password`.
    static func djangoHashes() throws -> Fixture {
        let url = try #require(Bundle.module.url(forResource: "django-hashes", withExtension: "json", subdirectory: "Fixtures"))
        return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }

    @Test(.timeLimit(.minutes(1)))
    func verifiesHashesMadeByDjango() throws {
        let fixture = try Self.djangoHashes()
        #expect(fixture.hashes.count >= 10)
        let hasher = PasswordHasher(iterations: 1000)
        for entry in fixture.hashes {
            #expect(hasher.verify(entry.password, encoded: entry.encoded), "Django \(fixture.django): \(entry.encoded)")
            #expect(!hasher.verify(entry.password + "x", encoded: entry.encoded))
            #expect(!hasher.verify(String(entry.password.dropLast()), encoded: entry.encoded))
            #expect(hasher.needsUpgrade(entry.encoded) == (entry.iterations < 1000))
        }
    }

    @Test func reproducesDjangoHashGivenItsSalt() throws {
        for entry in try Self.djangoHashes().hashes where entry.iterations <= 1000 {
            let salt = String(entry.encoded.split(separator: "$")[2])
            #expect(PasswordHasher(iterations: entry.iterations).hash(entry.password, salt: salt) == entry.encoded)
        }
    }

    @Test func hashHasDjangoShapeAndVerifies() throws {
        let hasher = PasswordHasher(iterations: 10)
        let encoded = hasher.hash("s3cret ü")
        let fields = encoded.split(separator: "$", omittingEmptySubsequences: false)
        #expect(fields.count == 4)
        #expect(fields[0] == "pbkdf2_sha256")
        #expect(fields[1] == "10")
        #expect(fields[2].count == 22)
        #expect(fields[2].utf8.allSatisfy { SecureRandom.alphanumerics.contains($0) })
        #expect(Base64.decode(String(fields[3]))?.count == 32)
        #expect(hasher.verify("s3cret ü", encoded: encoded))
        #expect(!hasher.verify("s3cret u", encoded: encoded))
        #expect(!hasher.verify("", encoded: encoded))
    }

    @Test func saltsDiffer() {
        let hasher = PasswordHasher(iterations: 1)
        #expect(hasher.hash("same") != hasher.hash("same"))
    }

    @Test(arguments: [
        "",
        "plain",
        "md5$abc$def",
        "pbkdf2_sha1$1000$salt$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        "pbkdf2_sha256$$salt$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        "pbkdf2_sha256$0$salt$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        "pbkdf2_sha256$01$salt$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        "pbkdf2_sha256$-1$salt$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        "pbkdf2_sha256$+1$salt$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        "pbkdf2_sha256$ 1$salt$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        "pbkdf2_sha256$99999999$salt$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",  // above maxIterations
        "pbkdf2_sha256$1$$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        "pbkdf2_sha256$1$salt$",
        "pbkdf2_sha256$1$salt$AAAA",  // 3 bytes, not 32
        "pbkdf2_sha256$1$salt$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",  // missing padding
        "pbkdf2_sha256$1$salt$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=$",
        "pbkdf2_sha256$1$sa$lt$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        "PBKDF2_SHA256$1$salt$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        "!unusable-password-marker",
    ])
    func unknownOrMalformedFormatsNeverVerify(encoded: String) {
        let hasher = PasswordHasher(iterations: 1)
        #expect(!hasher.verify("", encoded: encoded))
        #expect(!hasher.verify("password", encoded: encoded))
        #expect(hasher.needsUpgrade(encoded))
    }

    @Test func needsUpgradeOnlyBelowConfiguredCount() {
        let old = PasswordHasher(iterations: 5).hash("pw")
        #expect(PasswordHasher(iterations: 6).needsUpgrade(old))
        #expect(!PasswordHasher(iterations: 5).needsUpgrade(old))
        #expect(!PasswordHasher(iterations: 4).needsUpgrade(old))
    }

    @Test func burnTimeRunsAtConfiguredCount() {
        // No timing assertion (see the test rules); this checks it runs without trapping.
        PasswordHasher(iterations: 1000).burnTime("anything")
        PasswordHasher(iterations: 1).burnTime("")
    }
}
