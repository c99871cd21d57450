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

    var json: String {
        var w = JSONWriter()
        w.int("id", id)
        w.int("room_id", roomID)
        w.raw("author", author.json())
        w.string("kind", kind)
        w.string("body", body)
        w.string("image_url", imageURL)
        w.string("created_at", createdAt.rfc3339)
        w.string("client_id", clientID)
        return w.finish()
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
