import COpenSSL

/// One-shot message digests over libcrypto's EVP interface.
public enum Digest {
    /// SHA-1 (FIPS 180-4). Only for protocols that require it (the WebSocket accept key); never for security.
    public static func sha1(_ bytes: [UInt8]) -> [UInt8] { digest(bytes, EVP_sha1(), length: 20) }

    /// SHA-256 (FIPS 180-4).
    public static func sha256(_ bytes: [UInt8]) -> [UInt8] { digest(bytes, EVP_sha256(), length: 32) }

    private static func digest(_ bytes: [UInt8], _ md: OpaquePointer?, length: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var outLength: UInt32 = 0
        let ok = withNonNullPointer(bytes) { data, count in
            out.withUnsafeMutableBufferPointer { EVP_Digest(data, count, $0.baseAddress, &outLength, md, nil) }
        }
        // EVP_Digest fails only on allocation failure or a missing algorithm: nothing a caller can handle.
        precondition(ok == 1 && Int(outLength) == length, "EVP_Digest failed")
        return Array(out.prefix(length))
    }
}

/// Calls `body` with a pointer that is never NULL, even for an empty array, since some libcrypto
/// entry points treat a NULL input differently from an empty one.
func withNonNullPointer<R>(_ bytes: [UInt8], _ body: (UnsafePointer<UInt8>, Int) -> R) -> R {
    if bytes.isEmpty {
        var zero: UInt8 = 0
        return withUnsafePointer(to: &zero) { body($0, 0) }
    }
    return bytes.withUnsafeBufferPointer { body($0.baseAddress!, $0.count) }
}
