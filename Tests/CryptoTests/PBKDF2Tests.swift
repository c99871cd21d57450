import Testing
@testable import Crypto
import Runtime

/// PBKDF2-HMAC-SHA256 vectors: the RFC 6070 inputs with SHA-256 (as published with RFC 7914
/// implementations) and RFC 7914 §11.
struct PBKDF2Tests {
    @Test(arguments: [
        (1, "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b"),
        (2, "ae4d0c95af6b46d32d0adff928f06dd02a303f8ef3c251dfd6e2d85a95474c43"),
        (4096, "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a"),
    ])
    func passwordSaltVectors(iterations: Int, expected: String) {
        let key = PBKDF2.sha256(password: Array("password".utf8), salt: Array("salt".utf8), iterations: iterations, length: 32)
        #expect(Hex.encode(key) == expected)
    }

    @Test func longPasswordAndSaltWith40ByteKey() {
        let key = PBKDF2.sha256(
            password: Array("passwordPASSWORDpassword".utf8),
            salt: Array("saltSALTsaltSALTsaltSALTsaltSALTsalt".utf8), iterations: 4096, length: 40)
        #expect(Hex.encode(key) == "348c89dbcbd32b2f32d814b8116e84cf2b17347ebc1800181c4e2a1fb8dd53e1c635518c7dac47e9")
    }

    @Test func rfc7914Section11() {
        let key = PBKDF2.sha256(password: Array("passwd".utf8), salt: Array("salt".utf8), iterations: 1, length: 64)
        #expect(Hex.encode(key) == "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783")
    }
}
