import Testing
@testable import Crypto

struct EncodingTests {
    /// RFC 4648 §10 test vectors.
    static let rfc4648: [(String, String)] = [
        ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"),
        ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy"),
    ]

    @Test func base64MatchesRFC4648() {
        for (plain, encoded) in Self.rfc4648 {
            #expect(Base64.encode(Array(plain.utf8)) == encoded)
            #expect(Base64.decode(encoded) == Array(plain.utf8))
            let unpadded = String(encoded.prefix { $0 != "=" })
            #expect(Base64.urlSafeEncode(Array(plain.utf8)) == unpadded)
            #expect(Base64.urlSafeDecode(unpadded) == Array(plain.utf8))
        }
    }

    @Test func alphabetsDifferOnlyInTwoCharacters() {
        let bytes: [UInt8] = [0xfb, 0xff, 0xbf]
        #expect(Base64.encode(bytes) == "+/+/")
        #expect(Base64.urlSafeEncode(bytes) == "-_-_")
        #expect(Base64.decode("+/+/") == bytes)
        #expect(Base64.urlSafeDecode("-_-_") == bytes)
        #expect(Base64.decode("-_-_") == nil)
        #expect(Base64.urlSafeDecode("+/+/") == nil)
    }

    @Test(arguments: ["Zg", "Zg=", "Zg===", "Z===", "Zm9v\n", " Zm9v", "Zm=v", "Zm9v====", "Zh==", "Zm9=", "é123", "Zg==Zg=="])
    func standardDecodeIsStrict(text: String) {
        #expect(Base64.decode(text) == nil)
    }

    @Test(arguments: ["Zg==", "Z", "Zh", "Zm9", "Zm9v=", "ab cd", "a+b/"])
    func urlSafeDecodeIsStrict(text: String) {
        #expect(Base64.urlSafeDecode(text) == nil)
    }

    @Test func base64RoundTripsEveryLength() {
        for length in 0..<70 {
            let bytes = SecureRandom.bytes(length)
            #expect(Base64.decode(Base64.encode(bytes)) == bytes)
            #expect(Base64.urlSafeDecode(Base64.urlSafeEncode(bytes)) == bytes)
        }
    }

    @Test func constantTimeEqualsComparesContentAndLength() {
        #expect(constantTimeEquals([], []))
        #expect(constantTimeEquals([1, 2, 3], [1, 2, 3]))
        #expect(!constantTimeEquals([1, 2, 3], [1, 2, 4]))
        #expect(!constantTimeEquals([1, 2, 3], [1, 2]))
        #expect(!constantTimeEquals([], [0]))
    }

    @Test func randomTokensAreURLSafeAndDistinct() {
        let token = SecureRandom.token()
        #expect(token.count == 43)
        #expect(Base64.urlSafeDecode(token)?.count == 32)
        #expect(SecureRandom.token(bytes: 16).count == 22)
        var seen = Set<String>()
        for _ in 0..<1000 { seen.insert(SecureRandom.token(bytes: 16)) }
        #expect(seen.count == 1000)
        #expect(SecureRandom.bytes(0).isEmpty)
        #expect(SecureRandom.bytes(64).count == 64)
    }

    @Test func randomStringUsesWholeAlphabet() {
        let text = SecureRandom.string(length: 20_000)
        #expect(text.utf8.count == 20_000)
        #expect(Set(text.utf8) == Set(SecureRandom.alphanumerics))
    }
}
