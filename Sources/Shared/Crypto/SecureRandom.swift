import COpenSSL

/// Cryptographically secure random bytes from libcrypto's CSPRNG (`RAND_bytes`).
public enum SecureRandom {
    /// `count` random bytes. Traps if the CSPRNG cannot produce them: carrying on with weak randomness
    /// would be worse than stopping.
    public static func bytes(_ count: Int) -> [UInt8] {
        precondition(count >= 0 && count <= Int(Int32.max), "SecureRandom.bytes count out of range")
        var out = [UInt8](repeating: 0, count: count)
        if count == 0 { return out }
        let ok = out.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32(count)) }
        precondition(ok == 1, "RAND_bytes failed")
        return out
    }

    /// A URL-safe token: `bytes` random bytes as base64url without padding (43 characters for 32 bytes).
    public static func token(bytes: Int = 32) -> String {
        Base64.urlSafeEncode(self.bytes(bytes))
    }

    /// A random string of `length` characters drawn uniformly from `alphabet` (rejection sampling, no
    /// modulo bias). Django's `get_random_string` uses `[a-zA-Z0-9]`, the default here.
    public static func string(length: Int, alphabet: [UInt8] = alphanumerics) -> String {
        precondition(!alphabet.isEmpty && alphabet.count <= 256, "alphabet size out of range")
        let limit = 256 - 256 % alphabet.count  // bytes at or above this would bias the result
        var result: [UInt8] = []
        result.reserveCapacity(length)
        while result.count < length {
            for byte in self.bytes(length - result.count + 8) where Int(byte) < limit && result.count < length {
                result.append(alphabet[Int(byte) % alphabet.count])
            }
        }
        return String(decoding: result, as: UTF8.self)
    }

    /// `a-z A-Z 0-9`, as Django's `RANDOM_STRING_CHARS`.
    public static let alphanumerics: [UInt8] = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".utf8)
}
