import Runtime
import SQLite

/// A room as one viewer sees it: `{"id", "kind", "name", "picture_url", "unread", "last_message",
/// "last_read_id", "created_at"}`, plus `"members"` in `GET /api/rooms/{id}`. A private room's name
/// and picture are the other member's display name and avatar, so the object differs per viewer.
struct RoomView: Sendable {
    var id: Int
    var kind: String
    var name: String
    /// The media file of a group's picture, or the other member's avatar in a private room.
    var picture: String?
    var createdAt: UTCTime
    var unread: Int
    var lastMessage: MessageView?
    var lastReadID: Int?
    /// The other member of a private room.
    var otherUserID: Int?

    /// Unread counts stop at this many ("1000 or more"), so a room list costs at most this many
    /// index entries per room however far behind the viewer is.
    static let unreadCap = 1000

    /// The viewer's rooms (`?1` = viewer id) with unread counts, the last message they have not
    /// cleared, and the other member of private rooms: one statement for the whole list.
    /// Unread = messages after max(read position, cleared position) that the viewer did not write,
    /// counted on the covering index `messages_room`, exact below `unreadCap`.
    static func select(oneRoom: Bool) -> String {
        """
        SELECT r.id AS id, r.kind AS kind, r.name AS name, r.picture AS picture, r.created_at AS created_at,
               ms.last_read_id AS last_read_id,
               CASE WHEN (SELECT x.id FROM messages x
                           WHERE x.room_id = r.id AND x.id > max(coalesce(ms.last_read_id, 0), ms.cleared_up_to)
                             AND x.author_id <> ms.user_id
                           ORDER BY x.id LIMIT 1 OFFSET \(unreadCap - 1)) IS NOT NULL THEN \(unreadCap)
                    ELSE (SELECT count(*) FROM messages x
                           WHERE x.room_id = r.id AND x.id > max(coalesce(ms.last_read_id, 0), ms.cleared_up_to)
                             AND x.author_id <> ms.user_id) END AS unread,
               lm.id AS lm_id, lm.room_id AS lm_room_id, lm.author_id AS lm_author_id, lm.kind AS lm_kind,
               lm.body AS lm_body, lm.media AS lm_media, lm.created_at AS lm_created_at, lm.client_id AS lm_client_id,
               \(UserView.columns("lu", prefix: "lu_")),
               om.user_id AS o_id, \(UserView.columns("ou", prefix: "o_"))
        FROM memberships ms
        JOIN rooms r ON r.id = ms.room_id
        LEFT JOIN messages lm ON lm.id = r.last_message_id AND lm.id > ms.cleared_up_to
        LEFT JOIN users lu ON lu.id = lm.author_id
        LEFT JOIN memberships om ON r.kind = 'private' AND om.room_id = r.id AND om.user_id <> ms.user_id
        LEFT JOIN users ou ON ou.id = om.user_id
        WHERE ms.user_id = ?1\(oneRoom ? " AND ms.room_id = ?2" : "")
        ORDER BY r.activity_at DESC, r.id DESC
        """
    }

    init(row: Row) {
        id = row.int("id")
        kind = row.string("kind")
        createdAt = row.time("created_at")
        unread = row.int("unread")
        lastReadID = row.optionalInt("last_read_id")
        lastMessage = row.optionalInt("lm_id") == nil ? nil : MessageView(row: row, prefix: "lm_", authorPrefix: "lu_")
        if kind == "private" {
            otherUserID = row.optionalInt("o_id")
            if let other = otherUserID {
                let user = UserView(id: other, row: row, prefix: "o_")
                name = user.displayName
                picture = user.avatar
            } else {
                name = ""
                picture = nil
            }
        } else {
            name = row.string("name")
            picture = row.optionalString("picture")
        }
    }

    var pictureURL: String? { picture.map { "/media/" + $0 } }

    /// The full per-viewer object; `members` (already JSON) is added for `GET /api/rooms/{id}`.
    func json(members: [String]? = nil) -> String {
        var w = JSONWriter()
        w.int("id", id)
        w.string("kind", kind)
        w.string("name", name)
        w.string("picture_url", pictureURL)
        w.int("unread", unread)
        w.raw("last_message", lastMessage?.json)
        w.int("last_read_id", lastReadID)
        w.string("created_at", createdAt.rfc3339)
        if let members { w.raw("members", JSONWriter.array(members)) }
        return w.finish()
    }

    /// The `{"type": "room", "room": …}` frame published on `room:<id>` after a rename, a new picture
    /// or a member change. One frame goes to every member, so it carries only the fields that are the
    /// same for everyone (id, kind, name, picture_url, created_at) and leaves out the per-viewer ones
    /// (unread, last_message, last_read_id): clients merge it into the room they know and refetch
    /// `GET /api/rooms/{id}` for members. Only group rooms change this way, and a group's name and
    /// picture are the same for every viewer.
    var broadcastEventJSON: String {
        var room = JSONWriter()
        room.int("id", id)
        room.string("kind", kind)
        room.string("name", name)
        room.string("picture_url", pictureURL)
        room.string("created_at", createdAt.rfc3339)
        var w = JSONWriter()
        w.string("type", "room")
        w.raw("room", room.finish())
        return w.finish()
    }

    /// The `{"type": "room", "room": …}` frame for one member's own `user:<id>` channel (they joined,
    /// were added, or created the room): the full object as that member sees it.
    var personalEventJSON: String {
        var w = JSONWriter()
        w.string("type", "room")
        w.raw("room", json())
        return w.finish()
    }
}
