import Dispatch
import HTTP
import IO
import Runtime
import SQLite
import Synchronization

/// A message to store: text, or an image already saved under `DATA_DIR/media`.
struct NewMessage: Sendable {
    var roomID: Int
    var authorID: Int
    var kind: String
    var body: String
    var media: String?
    var clientID: String?
}

enum SendOutcome: Sendable {
    /// Stored and published now.
    case created(MessageView)
    /// The author sent this `client_id` before: the first message, nothing stored or published.
    case existing(MessageView)
}

/// Stores messages in batches on one thread: it takes every queued send, commits them all in one
/// transaction, publishes their events in one pipelined round trip, and only then wakes each waiting
/// request. A send is acknowledged only after its transaction committed, and the commit (a WAL
/// fsync) is shared by the whole batch, which is what makes thousands of sends per second possible
/// on one SQLite file.
final class MessageWriter: Sendable {
    /// One queued send and whom to tell.
    private struct Job: Sendable {
        let message: NewMessage
        let done: @Sendable (Result<SendOutcome, any Error>) -> Void
    }

    private struct Queue {
        var jobs: [Job] = []
        var stopping = false
    }

    private let db: Database
    private let publisher: EventPublisher
    private let log: Log
    private let maxBatch: Int
    private let maxQueued: Int
    private let queue = Mutex(Queue())
    private let wake = DispatchSemaphore(value: 0)
    private let thread = Mutex<OwnedThread?>(nil)

    init(db: Database, publisher: EventPublisher, log: Log, maxBatch: Int = 256, maxQueued: Int = 10_000) {
        self.db = db
        self.publisher = publisher
        self.log = log
        self.maxBatch = maxBatch
        self.maxQueued = maxQueued
    }

    func start() {
        thread.withLock { current in
            guard current == nil else { return }
            current = OwnedThread(name: "message-writer") { [self] in run() }
        }
    }

    /// Finishes every queued send, then stops the thread.
    func stop() {
        queue.withLock { $0.stopping = true }
        wake.signal()
        thread.withLock { $0 }?.join()
    }

    /// Queues a send; `done` is called on the writer thread once it is stored and published (or
    /// refused). False, and `done` is never called, when the queue is full or the writer stopping.
    func enqueue(_ message: NewMessage, done: @escaping @Sendable (Result<SendOutcome, any Error>) -> Void) -> Bool {
        let job = Job(message: message, done: done)
        let accepted = queue.withLock { q -> Bool in
            guard !q.stopping, q.jobs.count < maxQueued else { return false }
            q.jobs.append(job)
            return true
        }
        if accepted { wake.signal() }
        return accepted
    }

    /// Queues a send and blocks until it is stored (or refused). Call it from a worker thread.
    func send(_ message: NewMessage, timeout: Double = 30) throws -> SendOutcome {
        let outcome = Mutex<Result<SendOutcome, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        guard enqueue(message, done: { result in
            outcome.withLock { $0 = result }
            done.signal()
        }) else { throw RoomErrors.busy }
        // On a timeout the send may still commit later; a retry with the same client_id finds it.
        guard done.wait(timeout: .now() + timeout) == .success, let result = outcome.withLock({ $0 }) else {
            throw RoomErrors.busy
        }
        return try result.get()
    }

    private func run() {
        while true {
            wake.wait()
            while true {
                let (batch, stopping) = queue.withLock { q -> ([Job], Bool) in
                    let n = min(q.jobs.count, maxBatch)
                    let batch = Array(q.jobs.prefix(n))
                    q.jobs.removeFirst(n)
                    return (batch, q.stopping)
                }
                if batch.isEmpty {
                    if stopping { return }
                    break
                }
                process(batch)
            }
        }
    }

    private func process(_ batch: [Job]) {
        var results: [Result<SendOutcome, any Error>]
        var events: [Event] = []
        do {
            (results, events) = try db.write { conn in try store(batch.map(\.message), conn) }
        } catch {
            log.error("message batch failed", ["messages": String(batch.count), "error": "\(error)"])
            results = Array(repeating: .failure(error), count: batch.count)
        }
        publisher.publish(events)  // after COMMIT: never announce what is not stored
        for (job, result) in zip(batch, results) { job.done(result) }
    }

    /// Stores the batch inside one write transaction; returns each message's outcome, in order, and
    /// the events to publish after commit.
    /// room-svc opens its database `durable` (WAL with `synchronous=FULL`): the commit returns once
    /// the WAL is fsynced, so an acknowledged message survives a crash of the process or the machine.
    private func store(_ batch: [NewMessage], _ conn: Connection) throws -> ([Result<SendOutcome, any Error>], [Event]) {
        var results: [Result<SendOutcome, any Error>] = []
        var events: [Event] = []
        var authors: [Int: UserView] = [:]
        var members: Set<[Int]> = []
        var lastByRoom: [Int: (id: Int, at: UTCTime)] = [:]
        for m in batch {
            if let clientID = m.clientID,
               let row = try conn.queryOne(MessageView.select + " WHERE m.author_id = ? AND m.client_id = ?", m.authorID, clientID)
            {
                let first = MessageView(row: row)
                results.append(first.roomID == m.roomID ? .success(.existing(first)) : .failure(RoomErrors.clientIDReused))
                continue
            }
            if !members.contains([m.roomID, m.authorID]) {
                guard try conn.queryOne("SELECT 1 AS one FROM memberships WHERE room_id = ? AND user_id = ?", m.roomID, m.authorID) != nil
                else {
                    results.append(.failure(RoomErrors.noSuchRoom))
                    continue
                }
                members.insert([m.roomID, m.authorID])
            }
            let author: UserView
            if let known = authors[m.authorID] {
                author = known
            } else {
                author = try RoomStore.user(id: m.authorID, conn) ?? UserView.placeholder(id: m.authorID)
                authors[m.authorID] = author
            }
            let now = UTCTime.now()
            try conn.execute("""
                INSERT INTO messages (room_id, author_id, kind, body, media, created_at, client_id)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, m.roomID, m.authorID, m.kind, m.body, m.media, now, m.clientID)
            let view = MessageView(id: conn.lastInsertRowID, roomID: m.roomID, author: author, kind: m.kind, body: m.body,
                                   media: m.media, createdAt: now, clientID: m.clientID)
            results.append(.success(.created(view)))
            events.append(.room(m.roomID, view.eventJSON))
            lastByRoom[m.roomID] = (view.id, now)
        }
        for (room, last) in lastByRoom {
            try conn.execute("UPDATE rooms SET last_message_id = ?, activity_at = ? WHERE id = ?", last.id, last.at, room)
        }
        return (results, events)
    }
}
