import Runtime
import SQLite

/// A stored message as the API shows it: `{"id", "room_id", "author", "kind", "body", "image_url",
/// "created_at", "client_id"}`. Text messages have `image_url: null`; image messages `body: ""`.
struct MessageView: Sendable {
    var id: Int
    var roomID: Int
    var author: UserView
    var kind: String
    var body: String
    /// The media file name of an image message.
    var media: String?
    var createdAt: UTCTime
    var clientID: String?

    /// Selects messages `m` with their authors; append `WHERE …`.
    static let select = """
        SELECT m.id AS id, m.room_id AS room_id, m.author_id AS author_id, m.kind AS kind, m.body AS body,
               m.media AS media, m.created_at AS created_at, m.client_id AS client_id, \(UserView.columns("u", prefix: "a_"))
        FROM messages m LEFT JOIN users u ON u.id = m.author_id
        """

    /// Reads a row of `select` by position (the history page's fast path; see `Cursor`).
    init(cursor c: Cursor) {
        assert(c.name(8) == "a_username" && c.columnCount == 12, "MessageView.select changed: update init(cursor:)")
        self.init(id: c.int(0), roomID: c.int(1), author: UserView(id: c.int(2), cursor: c, first: 8),
                  kind: c.string(3), body: c.string(4), media: c.optionalString(5), createdAt: c.time(6),
                  clientID: c.optionalString(7))
    }

    init(id: Int, roomID: Int, author: UserView, kind: String, body: String, media: String?, createdAt: UTCTime,
         clientID: String?) {
        self.id = id
        self.roomID = roomID
        self.author = author
        self.kind = kind
        self.body = body
        self.media = media
        self.createdAt = createdAt
        self.clientID = clientID
    }

    /// Reads a row of `select`, or columns named with `prefix` and an author with `authorPrefix`.
    init(row: Row, prefix: String = "", authorPrefix: String = "a_") {
        self.init(id: row.int(prefix + "id"), roomID: row.int(prefix + "room_id"),
                  author: UserView(id: row.int(prefix + "author_id"), row: row, prefix: authorPrefix),
                  kind: row.string(prefix + "kind"), body: row.string(prefix + "body"), media: row.optionalString(prefix + "media"),
                  createdAt: row.time(prefix + "created_at"), clientID: row.optionalString(prefix + "client_id"))
    }

    var imageURL: String? { media.map { "/media/" + $0 } }

    /// The message object as JSON text (the same bytes as `appendJSON`).
    var json: String { String(decoding: jsonBytes, as: UTF8.self) }

    var jsonBytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256 + body.utf8.count)
        appendJSON(to: &out)
        return out
    }

    /// Writes the message object straight into `out`, without building a String per field: a history
    /// page encodes 50 of these, and per-scalar String appends were most of its CPU time. The author
    /// is the user object of `UserView.json()`, key for key.
    func appendJSON(to out: inout [UInt8]) {
        out.append(contentsOf: #"{"id":"#.utf8)
        Self.appendInt(id, to: &out)
        out.append(contentsOf: #","room_id":"#.utf8)
        Self.appendInt(roomID, to: &out)
        out.append(contentsOf: #","author":{"id":"#.utf8)
        Self.appendInt(author.id, to: &out)
        out.append(contentsOf: #","username":"#.utf8)
        Self.appendString(author.username, to: &out)
        out.append(contentsOf: #","display_name":"#.utf8)
        Self.appendString(author.displayName, to: &out)
        out.append(contentsOf: #","bio":"#.utf8)
        Self.appendString(author.bio, to: &out)
        out.append(contentsOf: #","avatar_url":"#.utf8)
        Self.appendString(author.avatarURL, to: &out)
        out.append(contentsOf: #"},"kind":"#.utf8)
        Self.appendString(kind, to: &out)
        out.append(contentsOf: #","body":"#.utf8)
        Self.appendString(body, to: &out)
        out.append(contentsOf: #","image_url":"#.utf8)
        Self.appendString(imageURL, to: &out)
        out.append(contentsOf: #","created_at":""#.utf8)
        createdAt.appendRFC3339(to: &out)  // digits and -:.TZ: nothing to escape
        out.append(contentsOf: #"","client_id":"#.utf8)
        Self.appendString(clientID, to: &out)
        out.append(UInt8(ascii: "}"))
    }

    static func appendInt(_ value: Int, to out: inout [UInt8]) {
        out.append(contentsOf: String(value).utf8)  // a small string: no allocation
    }

    /// A JSON string literal, or `null`; escaped exactly as `JSON.quote` does (RFC 8259 §7: `"` `\`
    /// and control characters; everything else, UTF-8 included, as it is).
    static func appendString(_ text: String?, to out: inout [UInt8]) {
        guard var text else {
            out.append(contentsOf: "null".utf8)
            return
        }
        out.append(UInt8(ascii: "\""))
        text.withUTF8 { bytes in
            var start = 0
            for i in 0..<bytes.count {
                let b = bytes[i]
                guard b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") else { continue }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<i]))
                start = i + 1
                out.append(UInt8(ascii: "\\"))
                switch b {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(b)
                case UInt8(ascii: "\n"): out.append(UInt8(ascii: "n"))
                case UInt8(ascii: "\r"): out.append(UInt8(ascii: "r"))
                case UInt8(ascii: "\t"): out.append(UInt8(ascii: "t"))
                default:
                    let hex = Array("0123456789abcdef".utf8)
                    out.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(b >> 4)], hex[Int(b & 15)]])
                }
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<bytes.count]))
        }
        out.append(UInt8(ascii: "\""))
    }

    /// The WebSocket frame `{"type": "message", "room_id", "message"}` published on `room:<id>`.
    var eventJSON: String {
        var w = JSONWriter()
        w.string("type", "message")
        w.int("room_id", roomID)
        w.raw("message", json)
        return w.finish()
    }
}
