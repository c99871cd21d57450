import FoundationEssentials
import Runtime

/// Hands out `RedisConnection`s exclusively, opening them lazily up to `size`.
///
/// `@unchecked Sendable`: `idle` and `open` are read and written only while `condition` is locked,
/// and a connection that is checked out belongs to exactly one thread until `checkIn`/`discard`.
final class ConnectionPool: @unchecked Sendable {
    private let condition = Condition()
    private var idle: [RedisConnection] = []
    private var open = 0
    private let size: Int
    private let connect: () throws(RedisError) -> RedisConnection

    init(size: Int, connect: @escaping () throws(RedisError) -> RedisConnection) {
        self.size = max(1, size)
        self.connect = connect
    }

    /// An idle healthy connection, else a new one if below `size`, else waits until `deadline`.
    func checkOut(deadline: Date) throws(RedisError) -> RedisConnection {
        condition.lock()
        while true {
            while let connection = idle.popLast() {
                if connection.looksHealthy {
                    condition.unlock()
                    return connection
                }
                connection.close()  // closed by the server while idle: never reuse it
                open -= 1
            }
            if open < size {
                open += 1
                condition.unlock()
                do {
                    return try connect()
                } catch {
                    condition.lock()
                    open -= 1
                    condition.signal()
                    condition.unlock()
                    throw error
                }
            }
            if !condition.wait(until: deadline) {
                condition.unlock()
                throw RedisError(code: RedisError.poolExhausted, message: "all \(size) connections busy")
            }
        }
    }

    func checkIn(_ connection: RedisConnection) {
        condition.lock()
        idle.append(connection)
        condition.signal()
        condition.unlock()
    }

    /// Closes a connection that failed; the next caller opens a fresh one.
    func discard(_ connection: RedisConnection) {
        connection.close()
        condition.lock()
        open -= 1
        condition.signal()
        condition.unlock()
    }

    func closeAll() {
        condition.lock()
        let all = idle
        idle.removeAll()
        open -= all.count
        condition.unlock()
        for connection in all { connection.close() }
    }
}
