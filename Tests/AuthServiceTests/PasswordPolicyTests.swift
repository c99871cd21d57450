import Foundation
import Testing

@testable import auth_svc

@Suite struct PasswordPolicyTests {
    static let policy = try! PasswordPolicy(contentsOfFile: Fixtures.commonPasswordsFile)

    @Test func loadsDjangosList() {
        #expect(Self.policy.commonPasswords.count > 19_000)
        #expect(Self.policy.commonPasswords.contains("password"))
        #expect(Self.policy.commonPasswords.contains("qwerty"))
    }

    @Test func acceptsAGoodPassword() {
        #expect(Self.policy.problems(password: "correct horse battery", username: "ada", email: "ada@example.com").isEmpty)
    }

    @Test func rejectsShortNumericAndCommonPasswords() {
        let short = Self.policy.problems(password: "x7#kQ", username: "ada", email: "ada@example.com")
        #expect(short == ["This password is too short. It must contain at least 8 characters."])
        let numeric = Self.policy.problems(password: "73910462", username: "ada", email: "ada@example.com")
        #expect(numeric.contains("This password is entirely numeric."))
        let common = Self.policy.problems(password: "Password1", username: "ada", email: "ada@example.com")
        #expect(common == ["This password is too common."])
        // Numeric and common at once: every problem is listed.
        #expect(Self.policy.problems(password: "12345678", username: "ada", email: "ada@example.com").count == 2)
    }

    /// Expected results computed with Django 5.2's UserAttributeSimilarityValidator.
    @Test(arguments: [
        ("adalovelace", "ada@example.com", "adalovelace1", "username"),
        ("adalovelace", "ada@example.com", "lovelace.ada", "username"),
        ("ada", "ada@example.com", "ada@example", "email address"),
        ("ada", "ada.lovelace@example.com", "adalovelace", "email address"),
        ("bob_smith", "bob@example.org", "example.org!", "email address"),
        ("bob", "bob@example.org", "correct horse battery", nil),
        ("grace", "grace@navy.mil", "gracegrace", nil),
        ("grace", "grace@navy.mil", "navymil123", nil),
        ("zed", "zed@x.io", "Zed12345", nil),
        ("charlie", "c@charliemail.com", "charliemail", "username"),
        ("xy-z", "xyz@q.com", "zyx.q.com", "email address"),
        ("ada", "ada@example.com", "correct horse", nil),
    ] as [(String, String, String, String?)])
    func similarityMatchesDjango(username: String, email: String, password: String, attribute: String?) {
        #expect(Self.policy.similarAttribute(password: password, username: username, email: email) == attribute)
    }

    @Test func quickRatioIsDifflibs() {
        // difflib.SequenceMatcher(a="abcd", b="bcde").quick_ratio() == 0.75
        #expect(PasswordPolicy.quickRatio(Array("abcd"), Array("bcde")) == 0.75)
        #expect(PasswordPolicy.quickRatio(Array("aab"), Array("abb")) == 2.0 * 2 / 6)
    }
}

@Suite struct ValidationTests {
    @Test(arguments: ["ada", "Ada_Lovelace", "a.b-c", String(repeating: "x", count: 32)])
    func acceptsUsernames(_ name: String) { #expect(Validation.usernameProblem(name) == nil) }

    @Test(arguments: ["ab", String(repeating: "x", count: 33), "ada lovelace", "ada@x", "ädá", "", "<script>"])
    func rejectsUsernames(_ name: String) { #expect(Validation.usernameProblem(name) != nil) }

    @Test(arguments: ["ada@example.com", "a.b+tag@mail.example.org", "x@bücher.de"])
    func acceptsEmails(_ email: String) { #expect(Validation.emailProblem(email) == nil) }

    @Test(arguments: ["", "ada", "ada@", "@example.com", "ada@example", "ada@@example.com", "a b@example.com",
                      "ada@exa mple.com", "ada@-example.com", "ada@example..com", ".ada@example.com", "ada\n@example.com"])
    func rejectsEmails(_ email: String) { #expect(Validation.emailProblem(email) != nil) }

    @Test func displayNameAndBioLimits() {
        #expect(Validation.displayNameProblem("Ada") == nil)
        #expect(Validation.displayNameProblem("   ") != nil)
        #expect(Validation.displayNameProblem(String(repeating: "é", count: 64)) == nil)
        #expect(Validation.displayNameProblem(String(repeating: "é", count: 65)) != nil)
        #expect(Validation.displayNameProblem("a\u{0007}b") != nil)
        #expect(Validation.bioProblem("") == nil)
        #expect(Validation.bioProblem("line one\nline two") == nil)
        #expect(Validation.bioProblem(String(repeating: "x", count: 200)) == nil)
        #expect(Validation.bioProblem(String(repeating: "x", count: 201)) != nil)
    }
}
