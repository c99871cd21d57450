import COpenSSL

/// Keyed-hash message authentication codes (RFC 2104) over libcrypto.
public enum HMAC {
    /// HMAC-SHA-256 of `message` under `key`; 32 bytes.
    public static func sha256(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var outLength: UInt32 = 0
        let result = withNonNullPointer(key) { keyPointer, keyCount in
            withNonNullPointer(message) { messagePointer, messageCount in
                out.withUnsafeMutableBufferPointer {
                    COpenSSL.HMAC(EVP_sha256(), keyPointer, Int32(keyCount), messagePointer, messageCount, $0.baseAddress, &outLength)
                }
            }
        }
        precondition(result != nil && outLength == 32, "HMAC-SHA256 failed")
        return Array(out.prefix(32))
    }
}
