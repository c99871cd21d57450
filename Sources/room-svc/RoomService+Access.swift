import HTTP
import SQLite

extension RoomService {
    /// `GET /media/{file}`: room images only for the room's members; avatars and room pictures for any
    /// logged-in user. An allowed request gets an empty 200 with `X-Accel-Redirect`, and nginx serves
    /// the file from its internal location; anything else is 404 (whether the file exists is not told).
    func authorizeMedia(_ req: Request) throws -> Response {
        let me = try req.authenticatedUser()
        guard let file = req.parameters["file"], MediaStore.isValidName(file), let mime = ImageInfo.mime(forFile: file) else {
            throw HTTPError.notFound()
        }
        let allowed = try db.read { conn in
            // Cheapest first: both of ours are indexed; users.avatar (auth's table) is not.
            try conn.queryOne("""
                SELECT (EXISTS (SELECT 1 FROM rooms WHERE picture = ?1)
                     OR EXISTS (SELECT 1 FROM messages m JOIN memberships ms ON ms.room_id = m.room_id AND ms.user_id = ?2
                                WHERE m.media = ?1)
                     OR EXISTS (SELECT 1 FROM users WHERE avatar = ?1)) AS allowed
                """, file, me.id)?.bool("allowed") ?? false
        }
        guard allowed else { throw HTTPError.notFound() }
        return Response(status: .ok, headers: Headers([("X-Accel-Redirect", "/_protected_media/" + file), ("Content-Type", mime)]))
    }

    /// `GET /internal/users/{id}/rooms` → `{"user": user, "rooms": [ids]}` (relay-svc, when a socket
    /// connects: the hello frame and the typing frames carry the user); 404 for an unknown user.
    func internalUserRooms(_ req: Request) throws -> Response {
        let id = try req.id("id")
        let (user, ids) = try db.read { conn in
            (try RoomStore.user(id: id, conn),
             try conn.query("SELECT room_id FROM memberships WHERE user_id = ? ORDER BY room_id", id).map { String($0.int("room_id")) })
        }
        guard let user else { throw HTTPError.notFound() }
        return .jsonBytes(Array(("{\"user\":" + user.json() + ",\"rooms\":[" + ids.joined(separator: ",") + "]}").utf8))
    }

    /// `GET /internal/rooms/{id}/members/{user}` → 204 when a member, else 404 (relay-svc, for typing).
    func internalMembership(_ req: Request) throws -> Response {
        let room = try req.id("id")
        let user = try req.id("user")
        let member = try db.read { conn in try RoomStore.membership(room: room, user: user, conn) != nil }
        guard member else { throw RoomErrors.noSuchRoom }
        return .noContent
    }
}
