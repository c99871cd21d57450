import COpenSSL

/// Compares two byte strings in time that depends only on their lengths (`CRYPTO_memcmp`), for
/// secrets such as tokens and password hashes. Different lengths compare unequal at once; the length
/// of a secret is not itself secret here.
public func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    if a.isEmpty { return true }
    return a.withUnsafeBytes { left in
        b.withUnsafeBytes { right in CRYPTO_memcmp(left.baseAddress, right.baseAddress, left.count) == 0 }
    }
}
