import HTTP
import Runtime
import SQLite

extension RoomService {
    struct AddMemberBody: Decodable {
        var username: String
    }

    /// `POST /api/rooms/{id}/members` with `username`: any member of a group may add anyone; adding
    /// a member again changes nothing and answers the same.
    func addMember(_ req: Request) throws -> Response {
        let me = try req.authenticatedUser()
        let id = try req.id("id")
        let body = try req.decode(AddMemberBody.self)
        let username = body.username.trimmingWhitespace()
        guard !username.isEmpty else { throw HTTPError.validation(["username": "This field is required."]) }
        let (room, added) = try db.write { conn -> (RoomView, (id: Int, view: RoomView)?) in
            let membership = try RoomStore.requireMembership(room: id, user: me.id, conn)
            guard membership.kind == "group" else { throw RoomErrors.privateRoom }
            guard let user = try RoomStore.activeUser(username: username, conn) else { throw RoomErrors.noSuchUser }
            // A new member starts with everything so far read: history is there to scroll, not unread.
            try conn.execute("""
                INSERT OR IGNORE INTO memberships (room_id, user_id, joined_at, last_read_id)
                VALUES (?, ?, ?, ?)
                """, id, user.id, UTCTime.now(), membership.lastMessageID)
            let inserted = conn.changes > 0
            let room = try RoomStore.room(id, for: me.id, conn)!
            return (room, inserted ? (user.id, try RoomStore.room(id, for: user.id, conn)!) : nil)
        }
        if let added {
            // The new member's sockets subscribe on the personal frame; then everyone refreshes members.
            publisher.publish([.user(added.id, added.view.personalEventJSON), .room(id, room.broadcastEventJSON)])
            req.log.info("member added", ["room.id": String(id), "user.id": String(me.id), "member.id": String(added.id)])
        }
        return .jsonBytes(Array(room.json().utf8))
    }

    /// `DELETE /api/rooms/{id}/members/me`: leave a group room. A private room cannot be left (403
    /// `private_room`): it is the pair's one conversation, and leaving would break "one per pair".
    func leaveRoom(_ req: Request) throws -> Response {
        let me = try req.authenticatedUser()
        let id = try req.id("id")
        let room = try db.write { conn -> RoomView in
            let membership = try RoomStore.requireMembership(room: id, user: me.id, conn)
            guard membership.kind == "group" else { throw RoomErrors.privateRoom }
            let room = try RoomStore.room(id, for: me.id, conn)!
            try conn.execute("DELETE FROM memberships WHERE room_id = ? AND user_id = ?", id, me.id)
            return room
        }
        // The room frame first: the leaver's sockets still get it and then drop the room on room_left.
        var left = JSONWriter()
        left.string("type", "room_left")
        left.int("room_id", id)
        publisher.publish([.room(id, room.broadcastEventJSON), .user(me.id, left.finish())])
        req.log.info("member left", ["room.id": String(id), "user.id": String(me.id)])
        return .noContent
    }
}
