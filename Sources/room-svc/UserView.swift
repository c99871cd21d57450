import SQLite

/// A user as the API shows it: `{"id", "username", "display_name", "bio", "avatar_url"}`; in a room's
/// member list also `"online"` and `"last_read_id"`. Read from auth-svc's `users` table.
struct UserView: Sendable {
    var id: Int
    var username: String
    var displayName: String
    var bio: String
    /// The media file name (`<sha256>.<ext>`) as auth-svc stores it, or nil.
    var avatar: String?

    /// The SQL select list for a users table aliased `alias`, each column named `<prefix>…`.
    static func columns(_ alias: String, prefix: String) -> String {
        "\(alias).username AS \(prefix)username, \(alias).display_name AS \(prefix)display_name, "
            + "\(alias).bio AS \(prefix)bio, \(alias).avatar AS \(prefix)avatar"
    }

    /// Reads the columns `columns(_:prefix:)` selected. A user row that is gone (or a LEFT JOIN
    /// that found none) still yields a placeholder, so a message never loses its author.
    init(id: Int, row: Row, prefix: String) {
        self.init(id: id, stored: row.optionalString(prefix + "username"), row.optionalString(prefix + "display_name"),
                  row.optionalString(prefix + "bio"), row.optionalString(prefix + "avatar"))
    }

    /// The columns of `columns(_:prefix:)` starting at position `first`, in their order.
    init(id: Int, cursor: Cursor, first: Int) {
        self.init(id: id, stored: cursor.optionalString(first), cursor.optionalString(first + 1),
                  cursor.optionalString(first + 2), cursor.optionalString(first + 3))
    }

    private init(id: Int, stored username: String?, _ displayName: String?, _ bio: String?, _ avatar: String?) {
        self.id = id
        let username = username ?? "deleted"
        self.username = username
        self.displayName = (displayName ?? "").isEmpty ? username : displayName!
        self.bio = bio ?? ""
        self.avatar = avatar
    }

    /// Stands in for a user row that no longer exists.
    static func placeholder(id: Int) -> UserView {
        UserView(id: id, username: "deleted", displayName: "deleted", bio: "", avatar: nil)
    }

    init(id: Int, username: String, displayName: String, bio: String, avatar: String?) {
        self.id = id
        self.username = username
        self.displayName = displayName
        self.bio = bio
        self.avatar = avatar
    }

    var avatarURL: String? { avatar.map { "/media/" + $0 } }

    func json(online: Bool? = nil, lastReadID: Int?? = .none) -> String {
        var w = JSONWriter()
        w.int("id", id)
        w.string("username", username)
        w.string("display_name", displayName)
        w.string("bio", bio)
        w.string("avatar_url", avatarURL)
        if let online { w.bool("online", online) }
        if case .some(let value) = lastReadID { w.int("last_read_id", value) }
        return w.finish()
    }
}
