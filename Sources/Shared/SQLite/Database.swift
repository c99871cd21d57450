import CSQLite
import Glibc
import Runtime
import Synchronization

/// A SQLite database file opened as one writer connection plus a few reader connections, in WAL
/// mode so readers never block the writer nor each other.
///
/// Threading rules:
/// - All methods block (on SQLite I/O, the busy timeout, or waiting for a free connection). Call
///   them from worker threads, never from an event loop or Swift's cooperative pool.
/// - `write` bodies run one at a time, in `BEGIN IMMEDIATE … COMMIT`. Do not call `write` from inside
///   a `write` body: that would deadlock, so it traps instead.
/// - `read` bodies run concurrently, each on its own reader connection inside one deferred
///   transaction (one consistent snapshot). A `read` inside a `write` body does not see that body's
///   uncommitted changes. Do not nest `read` calls: with every reader taken, nesting deadlocks.
/// - The `Connection` passed to a body is valid only during the body; never let it escape.
/// - Each connection sets `busy_timeout`, `foreign_keys=ON` and `synchronous=NORMAL`, or `FULL` for a
///   `durable` database, whose commits survive a power cut, not only a crash (one fsync per commit);
///   other processes (or other `Database` instances) may use the same file and wait up to the busy
///   timeout for it.
///
/// Bodies should be short: a write body holds the single write lock of the whole file, across
/// processes. Do slow work (password hashing, network) before or after it.
public final class Database: @unchecked Sendable {
    // @unchecked Sendable: the connections are not Sendable, but each is used by one thread at a time:
    // `writer` only while holding `writeLock`; a reader only between taking it out of `idleReaders`
    // and putting it back, both under `readersLock`. `closed` and `idleReaders` are read and written
    // only under `readersLock` (and `closed` also under `writeLock` when set).
    public let path: String
    private let writer: Connection
    private let readers: [Connection]
    private let writeLock = Condition()
    private let readersLock = Condition()
    private var idleReaders: [Connection]
    private var closed = false
    /// `pthread_self()` of the thread inside `write`, or 0: detects a nested `write` before it deadlocks.
    private let writerThread = Mutex<UInt>(0)

    /// Opens (creating if needed) the database file at `path`, private to its owner (`makePrivate`),
    /// and switches it to WAL mode.
    ///
    /// - Parameters:
    ///   - readers: reader connections, at least 1; `read` waits when all are busy.
    ///   - busyTimeout: seconds a connection waits for a lock held by another connection or process
    ///     before failing with `SQLITE_BUSY`.
    ///   - durable: `write` returns only once the commit is on disk (`synchronous=FULL`).
    public init(path: String, readers: Int = 4, busyTimeout: Double = 5, durable: Bool = false) throws {
        precondition(readers >= 1, "Database needs at least one reader connection")
        self.path = path
        Database.makePrivate(path)
        let writer = try Connection(path: path, flags: SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, busyTimeout: busyTimeout,
                                    durable: durable)
        var opened: [Connection] = []
        do {
            // journal_mode=WAL is persistent in the file; it answers the mode now in effect.
            let mode = try writer.queryOne("PRAGMA journal_mode = WAL")?.optionalString("journal_mode")
            guard mode == "wal" else {
                throw SQLiteError.misuse("could not switch to WAL journal mode (got \(mode ?? "none")); is this a file path?")
            }
            for _ in 0..<readers {
                opened.append(try Connection(path: path, flags: SQLITE_OPEN_READONLY, busyTimeout: busyTimeout))
            }
        } catch {
            for reader in opened { try? reader.close() }
            try? writer.close()
            throw error
        }
        self.writer = writer
        self.readers = opened
        self.idleReaders = opened
    }

    deinit { assert(closed, "Database leaked: call close()") }

    /// Runs `body` in a write transaction (`BEGIN IMMEDIATE` … `COMMIT`) on the writer connection,
    /// serialized with every other `write` on this instance. When `body` throws, the transaction is
    /// rolled back and the error rethrown.
    public func write<T>(_ body: (Connection) throws -> T) throws -> T {
        let me = UInt(pthread_self())
        precondition(writerThread.withLock { $0 } != me, "Database.write called inside a write body: this would deadlock")
        writeLock.lock()
        defer { writeLock.unlock() }
        guard !isClosed else { throw SQLiteError.misuse("database is closed") }
        writerThread.withLock { $0 = me }
        defer { writerThread.withLock { $0 = 0 } }

        try writer.execute("BEGIN IMMEDIATE")
        do {
            let result = try body(writer)
            try writer.execute("COMMIT")
            return result
        } catch {
            // A failed COMMIT (e.g. SQLITE_BUSY) leaves the transaction open; some errors (SQLITE_FULL,
            // SQLITE_IOERR) roll it back already. sqlite.org/lang_transaction.html
            if writer.isInTransaction { try? writer.execute("ROLLBACK") }
            throw error
        }
    }

    /// Runs `body` on a free reader connection inside a deferred transaction, so all its queries see
    /// one snapshot. Readers are opened read-only: writes in `body` fail with `SQLITE_READONLY`.
    public func read<T>(_ body: (Connection) throws -> T) throws -> T {
        let reader = try takeReader()
        defer { returnReader(reader) }
        try reader.execute("BEGIN")
        do {
            let result = try body(reader)
            try reader.execute("COMMIT")
            return result
        } catch {
            if reader.isInTransaction { try? reader.execute("ROLLBACK") }
            throw error
        }
    }

    /// Waits for running bodies to finish, then closes every connection. Later calls throw
    /// `SQLITE_MISUSE`. Calling it twice is harmless.
    public func close() {
        // First stop new reads and wait for running ones, without holding the write lock: a read
        // body may itself be waiting for a write.
        readersLock.lock()
        if closed {
            readersLock.unlock()
            return
        }
        closed = true
        readersLock.broadcast()  // waiters for a free reader now fail with "closed"
        while idleReaders.count < readers.count { readersLock.wait() }
        idleReaders = []
        readersLock.unlock()

        writeLock.lock()  // a running write finishes first; later ones see `closed`
        defer { writeLock.unlock() }
        for connection in readers + [writer] {
            do { try connection.close() } catch { assertionFailure("closing \(path): \(error)") }
        }
    }

    private var isClosed: Bool {
        readersLock.lock()
        defer { readersLock.unlock() }
        return closed
    }

    func takeReader() throws -> Connection {
        readersLock.lock()
        defer { readersLock.unlock() }
        while !closed && idleReaders.isEmpty { readersLock.wait() }
        guard !closed else { throw SQLiteError.misuse("database is closed") }
        return idleReaders.removeLast()
    }

    func returnReader(_ reader: Connection) {
        readersLock.lock()
        idleReaders.append(reader)
        readersLock.broadcast()
        readersLock.unlock()
    }
}
