import Crypto
import HTTP

/// The `session` cookie: a 256-bit random token; the database keeps only its SHA-256.
enum SessionCookie {
    static let name = "session"

    static func newToken() -> String { SecureRandom.token(bytes: 32) }

    static func hash(_ token: String) -> [UInt8] { Digest.sha256(Array(token.utf8)) }

    /// `Set-Cookie` for a live session (the Max-Age matches the sliding lifetime).
    static func set(_ token: String, secure: Bool, maxAge: Int) -> String {
        "\(name)=\(token); HttpOnly; SameSite=Lax; Path=/; Max-Age=\(maxAge)" + (secure ? "; Secure" : "")
    }

    /// `Set-Cookie` that makes the browser drop the cookie.
    static func clear(secure: Bool) -> String {
        "\(name)=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0" + (secure ? "; Secure" : "")
    }

    /// The session token from the request's `Cookie` header(s), if it looks like one of ours.
    static func token(in headers: Headers) -> String? {
        for header in headers.values("Cookie") {
            for pair in header.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                guard parts.count == 2, parts[0].trimmingOWS() == name else { continue }
                let value = parts[1].trimmingOWS()
                // Our tokens are 43 base64url characters; anything else cannot match a stored hash.
                if value.utf8.count == 43, value.utf8.allSatisfy(isBase64URL) { return value }
            }
        }
        return nil
    }

    private static func isBase64URL(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "_"):
            true
        default: false
        }
    }
}
