import Runtime
import SQLite

/// A row of `users` as auth-svc works with it.
struct User: Sendable {
    var id: Int
    var username: String
    var email: String
    var displayName: String
    var bio: String
    var avatar: String?
    var passwordHash: String
    var isAdmin: Bool
    var isActive: Bool

    static let columns = "id, username, email, display_name, bio, avatar, password_hash, is_admin, is_active"

    init(row: Row) {
        id = row.int("id")
        username = row.string("username")
        email = row.string("email")
        displayName = row.string("display_name")
        bio = row.string("bio")
        avatar = row.optionalString("avatar")
        passwordHash = row.string("password_hash")
        isAdmin = row.bool("is_admin")
        isActive = row.bool("is_active")
    }

    /// The API's user object; `own` adds the email (only the caller sees their own address).
    func view(own: Bool) -> UserView {
        UserView(id: id, username: username, displayName: displayName, bio: bio,
                 avatarURL: avatar.map { "/media/" + $0 }, email: own ? email : nil)
    }
}

/// `{"id", "username", "display_name", "bio", "avatar_url" (or null)}`, plus `"email"` for the caller.
struct UserView: Encodable, Sendable {
    var id: Int
    var username: String
    var displayName: String
    var bio: String
    var avatarURL: String?
    var email: String?

    enum CodingKeys: String, CodingKey {
        case id, username, bio, email
        case displayName = "display_name"
        case avatarURL = "avatar_url"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(username, forKey: .username)
        try c.encode(displayName, forKey: .displayName)
        try c.encode(bio, forKey: .bio)
        try c.encode(avatarURL, forKey: .avatarURL)  // null, never omitted
        try c.encodeIfPresent(email, forKey: .email)
    }
}

extension User {
    /// `User.columns` read from a table alias, for joins.
    static func qualifiedColumns(_ alias: String) -> String {
        columns.split(separator: ",").map { col in
            let c = col.trimmingWhitespace()
            return "\(alias).\(c) AS \(c)"
        }.joined(separator: ", ")
    }
}
