import Foundation

/// Paths and values the tests share.
enum Fixtures {
    /// The list shipped in the auth-svc sources.
    static let commonPasswordsFile: String = {
        let here = URL(fileURLWithPath: #filePath)  // Tests/AuthServiceTests/Fixtures.swift
        return here.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/auth-svc/Resources/common-passwords.txt").path
    }()

    static let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: 7, count: 64)
    static let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0] + Array(repeating: 1, count: 64)
    static let gif: [UInt8] = Array("GIF89a".utf8) + Array(repeating: 2, count: 64)
    static let webp: [UInt8] = Array("RIFF".utf8) + [0, 0, 0, 0] + Array("WEBPVP8 ".utf8) + Array(repeating: 3, count: 64)
}
