import SQLite

/// room-svc's tables (migration owner "room"). It reads `users` (owner "auth") and never writes it,
/// so no foreign key points at `users`: the two owners migrate independently.
///
/// Query shapes the indexes serve, each a bounded number of statements whatever the room size:
/// - history page: `messages_room` range `room_id = ? AND id < ?` (or `> ?`), newest or oldest first;
/// - unread count: the same index, covering (`author_id` is in it), counting only the unread tail;
/// - room list: `memberships_user` for the caller's rooms, then primary keys;
/// - catch-up: `room_id = ? AND id > ?` on `messages_room`.
enum RoomSchema {
    static let owner = "room"

    static let migrations: [Migration] = [
        Migration(1, """
            CREATE TABLE rooms (
                id INTEGER PRIMARY KEY,
                kind TEXT NOT NULL CHECK (kind IN ('private', 'group')),
                name TEXT NOT NULL DEFAULT '',
                picture TEXT NULL,
                pair_key TEXT NULL UNIQUE,
                created_by INTEGER NOT NULL,
                created_at INTEGER NOT NULL,
                last_message_id INTEGER NULL,
                activity_at INTEGER NOT NULL
            );
            CREATE INDEX rooms_picture ON rooms(picture) WHERE picture IS NOT NULL;

            CREATE TABLE memberships (
                room_id INTEGER NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
                user_id INTEGER NOT NULL,
                joined_at INTEGER NOT NULL,
                last_read_id INTEGER NULL,
                cleared_up_to INTEGER NOT NULL DEFAULT 0,
                PRIMARY KEY (room_id, user_id)
            ) WITHOUT ROWID;
            CREATE INDEX memberships_user ON memberships(user_id, room_id);

            CREATE TABLE media (
                file TEXT PRIMARY KEY,
                sha256 TEXT NOT NULL,
                mime TEXT NOT NULL,
                size INTEGER NOT NULL,
                width INTEGER NULL,
                height INTEGER NULL,
                created_by INTEGER NOT NULL,
                created_at INTEGER NOT NULL
            ) WITHOUT ROWID;

            CREATE TABLE messages (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                room_id INTEGER NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
                author_id INTEGER NOT NULL,
                kind TEXT NOT NULL CHECK (kind IN ('text', 'image')),
                body TEXT NOT NULL DEFAULT '',
                media TEXT NULL REFERENCES media(file),
                created_at INTEGER NOT NULL,
                client_id TEXT NULL,
                UNIQUE (author_id, client_id)
            );
            CREATE INDEX messages_room ON messages(room_id, id, author_id);
            CREATE INDEX messages_media ON messages(media) WHERE media IS NOT NULL;
            """),
    ]
}
