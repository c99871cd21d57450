import HTTP

extension AuthService {
    static let searchLimit = 20

    /// `GET /api/users?q=prefix`: up to 20 active users whose username or display name starts with
    /// `q`, ignoring case. `%`, `_` and `\` in `q` are matched literally. Usernames are ASCII; for
    /// display names SQLite's LIKE folds ASCII letters only, so other letters match in the case typed.
    func searchUsers(_ req: Request) throws -> Response {
        let ctx = try authenticate(req)
        let q = req.query["q"] ?? ""
        guard q.count <= 64 else { throw HTTPError.validation(["q": "Use at most 64 characters."]) }
        if q.isEmpty { return respond(ctx, try .json(["users": [UserView]()])) }
        let pattern = Self.escapeLike(q.lowercased()) + "%"
        let users = try db.read { conn in
            try conn.query(
                """
                SELECT \(User.columns) FROM users
                WHERE is_active = 1 AND (username_lower LIKE ?1 ESCAPE '\\' OR display_name LIKE ?1 ESCAPE '\\'
                                          OR display_name LIKE ?3 ESCAPE '\\')
                ORDER BY username_lower LIMIT ?2
                """, pattern, Self.searchLimit, Self.escapeLike(q) + "%")
        }.map { User(row: $0).view(own: false) }
        return respond(ctx, try .json(["users": users]))
    }

    static func escapeLike(_ text: String) -> String {
        var out = ""
        for c in text {
            if c == "%" || c == "_" || c == "\\" { out.append("\\") }
            out.append(c)
        }
        return out
    }
}
