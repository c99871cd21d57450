import Crypto
import Glibc
import HTTP
import Runtime
import SQLite

/// Uploaded images under `DATA_DIR/media/`, named `<sha256 hex>.<ext>` so the same bytes are stored
/// once (avatars written by auth-svc share the folder and the naming).
struct MediaStore: Sendable {
    let directory: String

    /// A stored upload: its file name and what was learnt from its bytes.
    struct Stored: Sendable {
        var file: String
        var sha256: String
        var info: ImageInfo
        var size: Int
    }

    /// Checks `bytes` are an accepted image within `limit` (413, 415), then writes them durably (temp
    /// file, fsync, rename). Call before the transaction that records them: a file without a row is
    /// harmless, a row without a file is not.
    func save(_ bytes: [UInt8], limit: Int) throws -> Stored {
        guard bytes.count <= limit else { throw RoomErrors.imageTooLarge(limit: limit) }
        guard let info = ImageInfo.sniff(bytes) else { throw RoomErrors.unsupportedImage }
        let hash = Hex.encode(Digest.sha256(bytes))
        let name = hash + "." + info.fileExtension
        let path = directory + "/" + name
        if access(path, F_OK) != 0 { try FileIO.writeDurably(bytes, to: path) }
        return Stored(file: name, sha256: hash, info: info, size: bytes.count)
    }

    /// Records the file's metadata (once per content).
    static func record(_ stored: Stored, by user: Int, _ conn: Connection) throws {
        try conn.execute("""
            INSERT OR IGNORE INTO media (file, sha256, mime, size, width, height, created_by, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, stored.file, stored.sha256, stored.info.mime, stored.size, stored.info.width, stored.info.height,
            user, UTCTime.now())
    }

    /// A media file name as this project makes them: 64 hex digits, a dot and a known extension.
    static func isValidName(_ name: String) -> Bool {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].utf8.count == 64, ImageInfo.mime(forFile: name) != nil else { return false }
        return parts[0].utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }
}
