import Foundation

/// Image bytes for upload tests: real headers, so the service's sniffing sees what a browser sends.
enum ImageFixture {
    /// A 1×1 PNG (signature, IHDR, IDAT, IEND), with `salt` appended after IEND to vary the hash.
    static func png(width: Int = 1, height: Int = 1, salt: String = "") -> [UInt8] {
        var b: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        b += [0, 0, 0, 13] + Array("IHDR".utf8) + be32(width) + be32(height) + [8, 6, 0, 0, 0] + [0x1F, 0x15, 0xC4, 0x89]
        b += [0, 0, 0, 10] + Array("IDAT".utf8) + [0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00, 0x05, 0x00, 0x01] + [0x0D, 0x0A, 0x2D, 0xB4]
        b += [0, 0, 0, 0] + Array("IEND".utf8) + [0xAE, 0x42, 0x60, 0x82]
        return b + Array(salt.utf8)
    }

    static func gif(width: Int = 3, height: Int = 2) -> [UInt8] {
        Array("GIF89a".utf8) + [UInt8(width & 0xFF), UInt8(width >> 8), UInt8(height & 0xFF), UInt8(height >> 8)] + [0, 0, 0, 0x3B]
    }

    static func jpeg(width: Int = 640, height: Int = 480) -> [UInt8] {
        [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10] + Array("JFIF".utf8) + [0, 1, 1, 0, 0, 1, 0, 1, 0, 0]
            + [0xFF, 0xC0, 0x00, 0x11, 0x08] + be16(height) + be16(width) + [3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]
            + [0xFF, 0xD9]
    }

    static func webpVP8X(width: Int = 300, height: Int = 200) -> [UInt8] {
        Array("RIFF".utf8) + [30, 0, 0, 0] + Array("WEBP".utf8) + Array("VP8X".utf8) + [10, 0, 0, 0] + [0, 0, 0, 0]
            + le24(width - 1) + le24(height - 1)
    }

    private static func be32(_ v: Int) -> [UInt8] { [UInt8(v >> 24 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
    private static func be16(_ v: Int) -> [UInt8] { [UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
    private static func le24(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF)] }
}
