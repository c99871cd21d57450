import HTTP
import Runtime
import SQLite

extension RoomService {
    struct CreateRoomBody: Decodable {
        var kind: String
        var username: String?
        var name: String?
        var members: [String]?
    }

    struct RenameBody: Decodable {
        var name: String
    }

    static let maxGroupMembersPerRequest = 256

    /// `GET /api/rooms`: the caller's rooms, latest activity first, in one statement.
    func listRooms(_ req: Request) throws -> Response {
        let me = try req.authenticatedUser()
        let rooms = try db.read { conn in try RoomStore.rooms(for: me.id, conn) }
        return .jsonBytes(Array(("{\"rooms\":" + JSONWriter.array(rooms.map { $0.json() }) + "}").utf8))
    }

    /// `POST /api/rooms`: a private room with one user (201, or 200 with the room that exists), or a group.
    func createRoom(_ req: Request) throws -> Response {
        let me = try req.authenticatedUser()
        let body = try req.decode(CreateRoomBody.self)
        switch body.kind {
        case "private": return try createPrivateRoom(req, me: me.id, username: body.username)
        case "group": return try createGroupRoom(req, me: me.id, name: body.name, usernames: body.members ?? [])
        default: throw HTTPError.validation(["kind": "Must be \"private\" or \"group\"."])
        }
    }

    private func createPrivateRoom(_ req: Request, me: Int, username: String?) throws -> Response {
        let username = (username ?? "").trimmingWhitespace()
        guard !username.isEmpty else { throw HTTPError.validation(["username": "This field is required."]) }
        let (room, otherView, created) = try db.write { conn -> (RoomView, RoomView?, Bool) in
            guard let other = try RoomStore.activeUser(username: username, conn) else { throw RoomErrors.noSuchUser }
            guard other.id != me else {
                throw HTTPError.validation(["username": "You cannot start a private room with yourself."])
            }
            // One private room per pair: the key is unique, and this check and insert share a transaction.
            let pairKey = "\(min(me, other.id)):\(max(me, other.id))"
            if let existing = try conn.queryOne("SELECT id FROM rooms WHERE pair_key = ?", pairKey) {
                guard let room = try RoomStore.room(existing.int("id"), for: me, conn) else { throw RoomErrors.noSuchRoom }
                return (room, nil, false)
            }
            let now = UTCTime.now()
            try conn.execute("""
                INSERT INTO rooms (kind, name, pair_key, created_by, created_at, activity_at)
                VALUES ('private', '', ?, ?, ?, ?)
                """, pairKey, me, now, now)
            let id = conn.lastInsertRowID
            for user in [me, other.id] {
                try conn.execute("INSERT INTO memberships (room_id, user_id, joined_at) VALUES (?, ?, ?)", id, user, now)
            }
            return (try RoomStore.room(id, for: me, conn)!, try RoomStore.room(id, for: other.id, conn)!, true)
        }
        if created, let otherView, let otherID = room.otherUserID {
            publisher.publish([.user(me, room.personalEventJSON), .user(otherID, otherView.personalEventJSON)])
            req.log.info("room created", ["room.id": String(room.id), "kind": "private", "user.id": String(me)])
        }
        return .jsonBytes(Array(room.json().utf8), status: created ? .created : .ok)
    }

    private func createGroupRoom(_ req: Request, me: Int, name: String?, usernames: [String]) throws -> Response {
        let name = try Self.validateName(name)
        guard usernames.count <= Self.maxGroupMembersPerRequest else {
            throw HTTPError.validation(["members": "At most \(Self.maxGroupMembersPerRequest) members at once."])
        }
        let (room, memberIDs) = try db.write { conn -> (RoomView, [Int]) in
            var ids: [Int] = [me]
            var unknown: [String] = []
            for username in usernames {
                if let user = try RoomStore.activeUser(username: username.trimmingWhitespace(), conn) {
                    if !ids.contains(user.id) { ids.append(user.id) }
                } else {
                    unknown.append(username)
                }
            }
            guard unknown.isEmpty else {
                throw HTTPError.validation(["members": "No such user: " + unknown.prefix(10).joined(separator: ", ")])
            }
            let now = UTCTime.now()
            try conn.execute("""
                INSERT INTO rooms (kind, name, created_by, created_at, activity_at) VALUES ('group', ?, ?, ?, ?)
                """, name, me, now, now)
            let id = conn.lastInsertRowID
            for user in ids {
                try conn.execute("INSERT INTO memberships (room_id, user_id, joined_at) VALUES (?, ?, ?)", id, user, now)
            }
            return (try RoomStore.room(id, for: me, conn)!, ids)
        }
        // A new group looks the same to every member (same name, nothing unread yet).
        publisher.publish(memberIDs.map { .user($0, room.personalEventJSON) })
        req.log.info("room created", ["room.id": String(room.id), "kind": "group", "members": String(memberIDs.count)])
        return .jsonBytes(Array(room.json().utf8), status: .created)
    }

    /// `GET /api/rooms/{id}`: the room with its members, each with `online` and `last_read_id`.
    func showRoom(_ req: Request) throws -> Response {
        let me = try req.authenticatedUser()
        let id = try req.id("id")
        let (room, members) = try db.read { conn -> (RoomView, [RoomStore.Member]) in
            guard let room = try RoomStore.room(id, for: me.id, conn) else { throw RoomErrors.noSuchRoom }
            return (room, try RoomStore.members(of: id, conn))
        }
        let online = presence.online(members.map(\.user.id))
        let json = room.json(members: members.map { $0.user.json(online: online[$0.user.id] ?? false, lastReadID: .some($0.lastReadID)) })
        return .jsonBytes(Array(json.utf8))
    }

    /// `PATCH /api/rooms/{id}` with `name`: group rooms only.
    func renameRoom(_ req: Request) throws -> Response {
        let me = try req.authenticatedUser()
        let id = try req.id("id")
        let body = try req.decode(RenameBody.self)
        let room = try db.write { conn -> RoomView in
            let membership = try RoomStore.requireMembership(room: id, user: me.id, conn)
            guard membership.kind == "group" else { throw RoomErrors.privateRoom }
            let name = try Self.validateName(body.name)
            try conn.execute("UPDATE rooms SET name = ? WHERE id = ?", name, id)
            return try RoomStore.room(id, for: me.id, conn)!
        }
        publisher.publish(.room(id, room.broadcastEventJSON))
        req.log.info("room renamed", ["room.id": String(id), "user.id": String(me.id)])
        return .jsonBytes(Array(room.json().utf8))
    }

    /// `PUT /api/rooms/{id}/picture`: image bytes (≤ 2 MiB), group rooms only.
    func putPicture(_ req: Request) throws -> Response {
        let me = try req.authenticatedUser()
        let id = try req.id("id")
        // Check before touching the disk, so non-members cannot store files.
        let kind = try db.read { conn in try RoomStore.requireMembership(room: id, user: me.id, conn).kind }
        guard kind == "group" else { throw RoomErrors.privateRoom }
        let stored = try media.save(req.body, limit: Self.maxPictureBytes)
        let room = try db.write { conn -> RoomView in
            _ = try RoomStore.requireMembership(room: id, user: me.id, conn)  // they may have left meanwhile
            try MediaStore.record(stored, by: me.id, conn)
            try conn.execute("UPDATE rooms SET picture = ? WHERE id = ?", stored.file, id)
            return try RoomStore.room(id, for: me.id, conn)!
        }
        publisher.publish(.room(id, room.broadcastEventJSON))
        req.log.info("room picture set", ["room.id": String(id), "user.id": String(me.id), "file": stored.file])
        return .jsonBytes(Array(room.json().utf8))
    }

    /// A group name: 1–80 characters after trimming white space.
    static func validateName(_ raw: String?) throws -> String {
        let name = (raw ?? "").trimmingWhitespace(andNewlines: true)
        guard !name.isEmpty else { throw HTTPError.validation(["name": "This field is required."]) }
        guard name.count <= 80 else { throw HTTPError.validation(["name": "At most 80 characters."]) }
        guard !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw HTTPError.validation(["name": "Must not contain control characters."])
        }
        return name
    }
}
