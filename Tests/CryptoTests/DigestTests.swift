import Testing
@testable import Crypto
import Runtime

/// Vectors from FIPS 180-2 Appendix A/B (also NIST CSRC "Cryptographic Algorithm Validation" examples).
struct DigestTests {
    static let message448 = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
    static let millionA = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)

    @Test func sha1MatchesFIPSVectors() {
        #expect(Hex.encode(Digest.sha1(Array("abc".utf8))) == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(Hex.encode(Digest.sha1([])) == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        #expect(Hex.encode(Digest.sha1(Self.message448)) == "84983e441c3bd26ebaae4aa1f95129e5e54670f1")
        #expect(Hex.encode(Digest.sha1(Self.millionA)) == "34aa973cd4c4daa4f61eeb2bdbad27316534016f")
    }

    @Test func sha256MatchesFIPSVectors() {
        #expect(Hex.encode(Digest.sha256(Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Hex.encode(Digest.sha256([])) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Hex.encode(Digest.sha256(Self.message448)) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(Hex.encode(Digest.sha256(Self.millionA)) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func webSocketAcceptKeyFromRFC6455() {
        // RFC 6455 §1.3 example: SHA-1 of key + GUID, base64.
        let input = Array("dGhlIHNhbXBsZSBub25jZQ==258EAFA5-E914-47DA-95CA-C5AB0DC85B11".utf8)
        #expect(Base64.encode(Digest.sha1(input)) == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
    }
}
