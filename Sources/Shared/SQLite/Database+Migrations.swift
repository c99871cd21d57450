import Runtime

extension Database {
    /// Brings `owner`'s tables up to the newest of `migrations`.
    ///
    /// Versions are tracked per owner in `schema_migrations(owner, version, applied_at)`, so several
    /// services can keep their own tables in one file. Each pending migration runs in its own write
    /// transaction together with its bookkeeping row, and is re-checked inside that transaction, so
    /// re-running (or two processes racing) applies each migration exactly once.
    ///
    /// Throws `MigrationError` when the versions are not positive and strictly increasing, or when the
    /// database already has a higher version for `owner` than `migrations` knows (it was migrated by
    /// newer code; running older code against it could corrupt data). An SQL failure throws the
    /// `SQLiteError`, and that migration and all later ones are not applied.
    public func migrate(owner: String, _ migrations: [Migration]) throws {
        guard !owner.isEmpty else { throw MigrationError(owner: owner, message: "owner must not be empty") }
        var previous = 0
        for migration in migrations {
            guard migration.version > previous else {
                throw MigrationError(owner: owner, message: "version \(migration.version) is not positive and above \(previous)")
            }
            previous = migration.version
        }
        let known = previous

        let current = try write { conn -> Int in
            try conn.executeScript(Self.migrationsTable)
            return try Self.version(of: owner, conn)
        }
        guard current <= known else {
            throw MigrationError(
                owner: owner,
                message: "database is at version \(current) but this code knows only up to \(known); refusing to run")
        }
        for migration in migrations where migration.version > current {
            try write { conn in
                guard try Self.version(of: owner, conn) < migration.version else { return }
                try conn.executeScript(migration.sql)
                try conn.execute(
                    "INSERT INTO schema_migrations(owner, version, applied_at) VALUES (?, ?, ?)",
                    owner, migration.version, UTCTime.now())
            }
        }
    }

    /// The highest applied migration version for `owner`, 0 when none.
    public func schemaVersion(owner: String) throws -> Int {
        try write { conn in
            try conn.executeScript(Self.migrationsTable)
            return try Self.version(of: owner, conn)
        }
    }

    private static let migrationsTable = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            owner TEXT NOT NULL,
            version INTEGER NOT NULL,
            applied_at INTEGER NOT NULL,
            PRIMARY KEY (owner, version)
        )
        """

    private static func version(of owner: String, _ conn: Connection) throws -> Int {
        try conn.queryOne("SELECT COALESCE(MAX(version), 0) AS version FROM schema_migrations WHERE owner = ?", owner)?
            .int("version") ?? 0
    }
}
