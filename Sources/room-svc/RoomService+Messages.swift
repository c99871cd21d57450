import HTTP
import Runtime
import SQLite

extension RoomService {
    struct PostMessageBody: Decodable {
        var body: String
        var client_id: String?
    }

    struct ReadBody: Decodable {
        var message_id: Int
    }

    static let maxBodyCharacters = 4000
    static let maxClientIDCharacters = 64

    /// `GET /api/rooms/{id}/messages?before=&after=&limit=`: oldest first, never what the caller cleared.
    func listMessages(_ req: Request) throws -> Response {
        let me = try req.authenticatedUser()
        let id = try req.id("id")
        let limit = try req.queryInt("limit", in: 1...100) ?? 50
        let before = try req.queryInt("before", in: 1...Int.max)
        let after = try req.queryInt("after", in: 0...Int.max)
        let page: RoomStore.Page
        switch (before, after) {
        case (nil, nil): page = .latest
        case (let b?, nil): page = .before(b)
        case (nil, let a?): page = .after(a)
        default: throw HTTPError.validation(["before": "Use before or after, not both."])
        }
        let (messages, hasMore) = try db.read { conn in
            let membership = try RoomStore.requireMembership(room: id, user: me.id, conn)
            return try RoomStore.messages(room: id, page: page, limit: limit, clearedUpTo: membership.clearedUpTo, conn)
        }
        var json: [UInt8] = []
        json.reserveCapacity(64 + messages.count * 320)
        json.append(contentsOf: #"{"messages":["#.utf8)
        for (i, message) in messages.enumerated() {
            if i > 0 { json.append(UInt8(ascii: ",")) }
            message.appendJSON(to: &json)
        }
        json.append(contentsOf: (hasMore ? #"],"has_more":true}"# : #"],"has_more":false}"#).utf8)
        return .jsonBytes(json)
    }

    /// `POST /api/rooms/{id}/messages`: 201 with the stored message, or 200 with the first message
    /// when this author sent the same `client_id` before (nothing stored or published again).
    ///
    /// Runs on the event loop up to the queue of the message writer, which answers after the commit:
    /// no worker thread waits for the disk.
    func postMessage(_ req: Request, _ responder: Responder) throws {
        let me = try req.authenticatedUser()
        let id = try req.id("id")
        let body = try req.decode(PostMessageBody.self)
        var problems: [String: String] = [:]
        if body.body.allSatisfy(\.isWhitespace) {
            problems["body"] = "Write something first."
        } else if body.body.count > Self.maxBodyCharacters {
            problems["body"] = "At most \(Self.maxBodyCharacters) characters."
        }
        if let problem = Self.clientIDProblem(body.client_id) { problems["client_id"] = problem }
        guard problems.isEmpty else { throw HTTPError.validation(problems) }
        if let retryAfter = limiter.take(user: me.id) { throw HTTPError.rateLimited(retryAfter: retryAfter) }
        let message = NewMessage(roomID: id, authorID: me.id, kind: "text", body: body.body, media: nil,
                                 clientID: body.client_id)
        let accepted = writer.enqueue(message) { result in
            responder.answer { try Self.response(to: result.get(), req) }
        }
        guard accepted else { throw RoomErrors.busy }
    }

    /// `POST /api/rooms/{id}/images`: image bytes (≤ 5 MiB) become a message of kind image. An optional
    /// `?client_id=` makes a retry safe, as for text.
    func postImage(_ req: Request) throws -> Response {
        let me = try req.authenticatedUser()
        let id = try req.id("id")
        let clientID = req.query["client_id"]
        if let problem = Self.clientIDProblem(clientID) { throw HTTPError.validation(["client_id": problem]) }
        // Members only, checked before anything is written to disk.
        _ = try db.read { conn in try RoomStore.requireMembership(room: id, user: me.id, conn) }
        if let retryAfter = limiter.take(user: me.id) { throw HTTPError.rateLimited(retryAfter: retryAfter) }
        let stored = try media.save(req.body, limit: Self.maxImageBytes)
        try db.write { conn in try MediaStore.record(stored, by: me.id, conn) }
        let message = NewMessage(roomID: id, authorID: me.id, kind: "image", body: "", media: stored.file, clientID: clientID)
        return try Self.response(to: writer.send(message), req)
    }

    private static func response(to outcome: SendOutcome, _ req: Request) -> Response {
        switch outcome {
        case .created(let view):
            return .jsonBytes(view.jsonBytes, status: .created)
        case .existing(let view):
            req.log.debug("duplicate send", ["room.id": String(view.roomID), "message.id": String(view.id)])
            return .jsonBytes(view.jsonBytes, status: .ok)
        }
    }

    private static func clientIDProblem(_ clientID: String?) -> String? {
        guard let clientID else { return nil }
        if clientID.isEmpty { return "Must not be empty." }
        if clientID.count > maxClientIDCharacters { return "At most \(maxClientIDCharacters) characters." }
        return nil
    }

    /// `POST /api/rooms/{id}/read` with `message_id` (a message of this room): the read position only
    /// moves forward; a move is published as `{"type": "read", …}`.
    func markRead(_ req: Request) throws -> Response {
        let me = try req.authenticatedUser()
        let id = try req.id("id")
        let body = try req.decode(ReadBody.self)
        let moved = try db.write { conn -> Bool in
            _ = try RoomStore.requireMembership(room: id, user: me.id, conn)
            guard try conn.queryOne("SELECT 1 AS one FROM messages WHERE id = ? AND room_id = ?", body.message_id, id) != nil else {
                throw HTTPError.validation(["message_id": "Not a message of this room."])
            }
            try conn.execute("""
                UPDATE memberships SET last_read_id = ?1
                WHERE room_id = ?2 AND user_id = ?3 AND (last_read_id IS NULL OR last_read_id < ?1)
                """, body.message_id, id, me.id)
            return conn.changes > 0
        }
        if moved {
            var w = JSONWriter()
            w.string("type", "read")
            w.int("room_id", id)
            w.int("user_id", me.id)
            w.int("message_id", body.message_id)
            publisher.publish(.room(id, w.finish()))
        }
        return .noContent
    }

    /// `POST /api/rooms/{id}/clear`: hides every message so far from the caller only.
    func clearHistory(_ req: Request) throws -> Response {
        let me = try req.authenticatedUser()
        let id = try req.id("id")
        try db.write { conn in
            let membership = try RoomStore.requireMembership(room: id, user: me.id, conn)
            try conn.execute("UPDATE memberships SET cleared_up_to = ? WHERE room_id = ? AND user_id = ?",
                             max(membership.clearedUpTo, membership.lastMessageID ?? 0), id, me.id)
        }
        req.log.info("history cleared", ["room.id": String(id), "user.id": String(me.id)])
        return .noContent
    }
}
