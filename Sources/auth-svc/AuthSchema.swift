import SQLite

/// The tables auth-svc owns (migrations under owner "auth"). room-svc reads `users`, never writes it.
enum AuthSchema {
    static let owner = "auth"

    static let migrations: [Migration] = [
        Migration(1, """
            CREATE TABLE users (
                id INTEGER PRIMARY KEY,
                username TEXT NOT NULL,
                username_lower TEXT NOT NULL UNIQUE,
                email TEXT NOT NULL,
                email_lower TEXT NOT NULL UNIQUE,
                display_name TEXT NOT NULL,
                bio TEXT NOT NULL DEFAULT '',
                avatar TEXT NULL,
                password_hash TEXT NOT NULL,
                is_admin INT NOT NULL DEFAULT 0,
                is_active INT NOT NULL DEFAULT 1,
                created_at INT NOT NULL
            )
            """),
        Migration(2, """
            CREATE TABLE sessions (
                id INTEGER PRIMARY KEY,
                user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                token_hash BLOB NOT NULL UNIQUE,
                created_at INT NOT NULL,
                last_seen_at INT NOT NULL,
                expires_at INT NOT NULL,
                user_agent TEXT NOT NULL DEFAULT ''
            )
            """),
        Migration(3, "CREATE INDEX sessions_user ON sessions(user_id)"),
        Migration(4, """
            CREATE TABLE password_resets (
                id INTEGER PRIMARY KEY,
                user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                token_hash BLOB NOT NULL UNIQUE,
                created_at INT NOT NULL,
                expires_at INT NOT NULL,
                used_at INT NULL,
                password_fingerprint BLOB NOT NULL
            )
            """),
        Migration(5, "CREATE INDEX password_resets_user ON password_resets(user_id)"),
    ]
}
