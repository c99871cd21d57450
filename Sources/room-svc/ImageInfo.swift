/// What the bytes of an upload are, decided from their magic numbers and never from the request's
/// `Content-Type`: PNG, JPEG, GIF or WebP, with the pixel size when the header gives it.
struct ImageInfo: Sendable, Equatable {
    var mime: String
    var fileExtension: String
    var width: Int?
    var height: Int?

    /// The image type of `bytes`, or nil when they are none of the four accepted types.
    static func sniff(_ bytes: [UInt8]) -> ImageInfo? {
        if starts(bytes, [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
            // PNG: the IHDR chunk comes first; width and height are big-endian at 16 and 20.
            return ImageInfo(mime: "image/png", fileExtension: "png", width: be32(bytes, 16), height: be32(bytes, 20))
        }
        if starts(bytes, [0xFF, 0xD8, 0xFF]) {
            let size = jpegSize(bytes)
            return ImageInfo(mime: "image/jpeg", fileExtension: "jpg", width: size?.0, height: size?.1)
        }
        if starts(bytes, Array("GIF87a".utf8)) || starts(bytes, Array("GIF89a".utf8)) {
            return ImageInfo(mime: "image/gif", fileExtension: "gif", width: le16(bytes, 6), height: le16(bytes, 8))
        }
        if starts(bytes, Array("RIFF".utf8)), bytes.count >= 16, Array(bytes[8..<12]) == Array("WEBP".utf8) {
            let size = webpSize(bytes)
            return ImageInfo(mime: "image/webp", fileExtension: "webp", width: size?.0, height: size?.1)
        }
        return nil
    }

    /// The media type for a stored file name's extension.
    static func mime(forFile name: String) -> String? {
        switch name.split(separator: ".").last {
        case "png": "image/png"
        case "jpg": "image/jpeg"
        case "gif": "image/gif"
        case "webp": "image/webp"
        default: nil
        }
    }

    private static func starts(_ bytes: [UInt8], _ prefix: [UInt8]) -> Bool {
        bytes.count >= prefix.count && Array(bytes[0..<prefix.count]) == prefix
    }

    private static func be16(_ b: [UInt8], _ i: Int) -> Int? {
        i + 2 <= b.count ? Int(b[i]) << 8 | Int(b[i + 1]) : nil
    }

    private static func be32(_ b: [UInt8], _ i: Int) -> Int? {
        i + 4 <= b.count ? Int(b[i]) << 24 | Int(b[i + 1]) << 16 | Int(b[i + 2]) << 8 | Int(b[i + 3]) : nil
    }

    private static func le16(_ b: [UInt8], _ i: Int) -> Int? {
        i + 2 <= b.count ? Int(b[i]) | Int(b[i + 1]) << 8 : nil
    }

    private static func le24(_ b: [UInt8], _ i: Int) -> Int? {
        i + 3 <= b.count ? Int(b[i]) | Int(b[i + 1]) << 8 | Int(b[i + 2]) << 16 : nil
    }

    /// Walks the JPEG markers to the first start-of-frame (SOF0–SOF15 except DHT, JPG and DAC).
    private static func jpegSize(_ b: [UInt8]) -> (Int, Int)? {
        var i = 2
        while i + 4 <= b.count {
            guard b[i] == 0xFF else { return nil }
            let marker = b[i + 1]
            if marker == 0xFF { i += 1; continue }  // fill byte
            if marker == 0xD8 || marker == 0x01 || (0xD0...0xD7).contains(marker) { i += 2; continue }  // no length
            guard let length = be16(b, i + 2), length >= 2 else { return nil }
            if (0xC0...0xCF).contains(marker) && ![0xC4, 0xC8, 0xCC].contains(marker) {
                guard let h = be16(b, i + 5), let w = be16(b, i + 7) else { return nil }
                return (w, h)
            }
            i += 2 + length
        }
        return nil
    }

    /// VP8 (lossy), VP8L (lossless) and VP8X (extended) headers (RFC 9649 §2.5–2.7).
    private static func webpSize(_ b: [UInt8]) -> (Int, Int)? {
        guard b.count >= 30 else { return nil }
        switch String(decoding: b[12..<16], as: UTF8.self) {
        case "VP8X":
            guard let w = le24(b, 24), let h = le24(b, 27) else { return nil }
            return (w + 1, h + 1)
        case "VP8L":
            guard b[20] == 0x2F else { return nil }
            let bits = Int(b[21]) | Int(b[22]) << 8 | Int(b[23]) << 16 | Int(b[24]) << 24
            return ((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
        case "VP8 ":
            guard let w = le16(b, 26), let h = le16(b, 28) else { return nil }
            return (w & 0x3FFF, h & 0x3FFF)
        default:
            return nil
        }
    }
}
