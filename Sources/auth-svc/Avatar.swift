import Crypto
import FoundationEssentials
import Glibc
import HTTP
import Runtime

/// Avatar images: the type comes from the bytes, the file name from their SHA-256.
enum Avatar {
    static let maxBytes = 2 * 1024 * 1024

    enum ImageType: String {
        case png, jpg, gif, webp
    }

    /// Sniffs PNG, JPEG, GIF and WebP signatures; nil for anything else.
    static func detect(_ b: [UInt8]) -> ImageType? {
        if b.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if b.starts(with: [0xFF, 0xD8, 0xFF]) { return .jpg }
        if b.starts(with: Array("GIF87a".utf8)) || b.starts(with: Array("GIF89a".utf8)) { return .gif }
        if b.count >= 12, b.starts(with: Array("RIFF".utf8)), Array(b[8..<12]) == Array("WEBP".utf8) { return .webp }
        return nil
    }

    /// Writes `bytes` as `<dir>/<sha256>.<ext>` (temp file, fsync, rename) and returns the file name.
    /// The same content is stored once.
    static func store(_ bytes: [UInt8], type: ImageType, in dir: String) throws -> String {
        let name = Hex.encode(Digest.sha256(bytes)) + "." + type.rawValue
        let path = dir + "/" + name
        if FileManager.default.fileExists(atPath: path) { return name }
        try FileIO.writeDurably(bytes, to: path)
        return name
    }
}

extension AuthService {
    /// `PUT /api/auth/me/avatar`: image bytes (PNG, JPEG, GIF, WebP; ≤ 2 MiB), sniffed, not trusted
    /// from `Content-Type`.
    func putAvatar(_ req: Request) throws -> Response {
        try requestGuard.check(req)
        let ctx = try authenticate(req)
        guard req.body.count <= Avatar.maxBytes else { throw HTTPError.tooLarge("The image must be at most 2 MiB.") }
        guard let type = Avatar.detect(req.body) else {
            throw HTTPError.unsupportedMediaType("Upload a PNG, JPEG, GIF or WebP image.")
        }
        let name = try Avatar.store(req.body, type: type, in: config.mediaDir)
        let user = try db.write { conn in
            try conn.execute("UPDATE users SET avatar = ? WHERE id = ?", name, ctx.user.id)
            return try loadUser(conn, id: ctx.user.id)!
        }
        req.log.info("avatar set", ["user.id": "\(user.id)", "file": name])
        return respond(ctx, try .json(user.view(own: true)))
    }

    /// `DELETE /api/auth/me/avatar`. The file stays: files are shared by content hash (another
    /// account or a room picture may use the same bytes).
    func deleteAvatar(_ req: Request) throws -> Response {
        try requestGuard.check(req)
        let ctx = try authenticate(req)
        let user = try db.write { conn in
            try conn.execute("UPDATE users SET avatar = NULL WHERE id = ?", ctx.user.id)
            return try loadUser(conn, id: ctx.user.id)!
        }
        req.log.info("avatar removed", ["user.id": "\(user.id)"])
        return respond(ctx, try .json(user.view(own: true)))
    }
}
