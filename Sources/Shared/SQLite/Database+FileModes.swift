import Glibc

extension Database {
    /// A database holds password hashes and every message, and DATA_DIR is open to nginx's workers
    /// (they serve the media beside it), so its files are their owner's alone (0600).
    ///
    /// Creates the database file 0600 before SQLite opens it (SQLite gives the `-wal` and `-shm` files
    /// the database's mode), and takes group and other access away from a database, `-wal` and `-shm`
    /// made by an older version. Best effort: a file this user may not change keeps its mode, and a
    /// path that cannot be opened is left for SQLite to report.
    static func makePrivate(_ path: String) {
        for (file, create) in [(path, true), (path + "-wal", false), (path + "-shm", false)] {
            let fd = open(file, O_RDONLY | O_CLOEXEC | (create ? O_CREAT : 0), mode_t(0o600))
            guard fd >= 0 else { continue }
            defer { Glibc.close(fd) }
            var info = stat()
            guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_mode & 0o077 != 0 else { continue }
            _ = fchmod(fd, info.st_mode & 0o700)
        }
    }
}
