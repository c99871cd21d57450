import COpenSSL

/// Password-based key derivation (RFC 8018 §5.2) over libcrypto's `PKCS5_PBKDF2_HMAC`.
public enum PBKDF2 {
    /// PBKDF2 with HMAC-SHA-256. `iterations` and `length` must be positive. This is deliberately slow
    /// (hundreds of milliseconds at production counts): call it on a worker thread, never an event loop.
    public static func sha256(password: [UInt8], salt: [UInt8], iterations: Int, length: Int) -> [UInt8] {
        precondition(iterations > 0 && iterations <= Int(Int32.max), "PBKDF2 iterations out of range")
        precondition(length > 0 && length <= 1024, "PBKDF2 length out of range")
        var out = [UInt8](repeating: 0, count: length)
        let ok = withNonNullPointer(password) { passwordPointer, passwordCount in
            withNonNullPointer(salt) { saltPointer, saltCount in
                out.withUnsafeMutableBufferPointer { outBuffer in
                    passwordPointer.withMemoryRebound(to: CChar.self, capacity: max(passwordCount, 1)) { passwordChars in
                        PKCS5_PBKDF2_HMAC(
                            passwordChars, Int32(passwordCount), saltPointer, Int32(saltCount),
                            Int32(iterations), EVP_sha256(), Int32(length), outBuffer.baseAddress)
                    }
                }
            }
        }
        precondition(ok == 1, "PKCS5_PBKDF2_HMAC failed")
        return out
    }
}
