import HTTP
import SQLite

/// The SQL of room-svc's reads, shared by handlers and the message writer. Every function takes the
/// connection of a running `Database.read` or `write` body and runs a fixed, small number of
/// statements (prepared once per connection by `Connection`'s statement cache).
enum RoomStore {
    /// The caller's membership of a room, or nil when they are not a member (or it does not exist).
    struct Membership: Sendable {
        var kind: String
        var lastReadID: Int?
        var clearedUpTo: Int
        var lastMessageID: Int?
    }

    static func membership(room: Int, user: Int, _ conn: Connection) throws -> Membership? {
        guard let row = try conn.queryOne("""
            SELECT r.kind AS kind, r.last_message_id AS last_message_id, ms.last_read_id AS last_read_id,
                   ms.cleared_up_to AS cleared_up_to
            FROM memberships ms JOIN rooms r ON r.id = ms.room_id
            WHERE ms.room_id = ? AND ms.user_id = ?
            """, room, user)
        else { return nil }
        return Membership(kind: row.string("kind"), lastReadID: row.optionalInt("last_read_id"),
                          clearedUpTo: row.int("cleared_up_to"), lastMessageID: row.optionalInt("last_message_id"))
    }

    /// The membership, or 404 in the contract's words (a room the caller is not in does not exist for them).
    static func requireMembership(room: Int, user: Int, _ conn: Connection) throws -> Membership {
        guard let m = try membership(room: room, user: user, conn) else { throw RoomErrors.noSuchRoom }
        return m
    }

    static func rooms(for user: Int, _ conn: Connection) throws -> [RoomView] {
        try conn.query(RoomView.select(oneRoom: false), user).map(RoomView.init(row:))
    }

    static func room(_ id: Int, for user: Int, _ conn: Connection) throws -> RoomView? {
        try conn.queryOne(RoomView.select(oneRoom: true), user, id).map(RoomView.init(row:))
    }

    struct Member: Sendable {
        var user: UserView
        var lastReadID: Int?
    }

    static func members(of room: Int, _ conn: Connection) throws -> [Member] {
        try conn.query("""
            SELECT ms.user_id AS id, ms.last_read_id AS last_read_id, \(UserView.columns("u", prefix: ""))
            FROM memberships ms LEFT JOIN users u ON u.id = ms.user_id
            WHERE ms.room_id = ?
            ORDER BY ms.joined_at, ms.user_id
            """, room).map { row in
            Member(user: UserView(id: row.int("id"), row: row, prefix: ""), lastReadID: row.optionalInt("last_read_id"))
        }
    }

    static func memberIDs(of room: Int, _ conn: Connection) throws -> [Int] {
        try conn.query("SELECT user_id FROM memberships WHERE room_id = ?", room).map { $0.int("user_id") }
    }

    /// An active user by username, ignoring case.
    static func activeUser(username: String, _ conn: Connection) throws -> UserView? {
        try conn.queryOne("""
            SELECT u.id AS id, \(UserView.columns("u", prefix: "")) FROM users u
            WHERE u.username_lower = ? AND u.is_active <> 0
            """, username.lowercased()).map { UserView(id: $0.int("id"), row: $0, prefix: "") }
    }

    static func user(id: Int, _ conn: Connection) throws -> UserView? {
        try conn.queryOne("SELECT u.id AS id, \(UserView.columns("u", prefix: "")) FROM users u WHERE u.id = ?", id)
            .map { UserView(id: $0.int("id"), row: $0, prefix: "") }
    }

    static func message(id: Int, _ conn: Connection) throws -> MessageView? {
        try conn.queryOne(MessageView.select + " WHERE m.id = ?", id).map { MessageView(row: $0) }
    }

    /// Which page of history to read; ids are exclusive bounds.
    enum Page: Sendable, Equatable {
        case latest
        case before(Int)
        case after(Int)
    }

    static let latestPage = MessageView.select + " WHERE m.room_id = ? AND m.id > ? ORDER BY m.id DESC LIMIT ?"
    static let pageBefore = MessageView.select + " WHERE m.room_id = ? AND m.id > ? AND m.id < ? ORDER BY m.id DESC LIMIT ?"
    static let pageAfter = MessageView.select + " WHERE m.room_id = ? AND m.id > ? ORDER BY m.id ASC LIMIT ?"

    /// One page of a room's history, oldest first, never at or below `clearedUpTo`. Reads one row more
    /// than `limit` to answer `has_more` without a second count.
    static func messages(room: Int, page: Page, limit: Int, clearedUpTo: Int, _ conn: Connection) throws
        -> (messages: [MessageView], hasMore: Bool)
    {
        var messages: [MessageView] = []
        messages.reserveCapacity(limit + 1)
        func collect(_ cursor: Cursor) { messages.append(MessageView(cursor: cursor)) }
        switch page {
        case .latest:
            try conn.forEach(Self.latestPage, room, clearedUpTo, limit + 1, body: collect)
        case .before(let id):
            try conn.forEach(Self.pageBefore, room, clearedUpTo, id, limit + 1, body: collect)
        case .after(let id):
            try conn.forEach(Self.pageAfter, room, max(id, clearedUpTo), limit + 1, body: collect)
        }
        let hasMore = messages.count > limit
        if hasMore { messages.removeLast() }
        if case .after = page {} else { messages.reverse() }  // newest-first reads come back oldest first
        return (messages, hasMore)
    }
}
