import Runtime
import WebSocket

/// One browser tab: its socket, whose it is, and the rooms it follows. Lives on its socket's loop
/// thread and is touched only there (by its `LocalHub` and the socket's callbacks).
final class Client {
    let userID: Int
    /// The session the socket was opened with (from auth-svc through nginx); nil when not told.
    let sessionID: Int?
    /// The user object as the API shows it, for the hello and typing frames.
    let userJSON: String
    let socket: WebSocketConnection
    var rooms: Set<Int>
    /// When this socket last published typing, per room (monotonic ns).
    private var lastTyping: [Int: UInt64] = [:]

    init(userID: Int, sessionID: Int?, userJSON: String, rooms: Set<Int>, socket: WebSocketConnection) {
        self.userID = userID
        self.sessionID = sessionID
        self.userJSON = userJSON
        self.rooms = rooms
        self.socket = socket
    }

    var id: ObjectIdentifier { ObjectIdentifier(self) }

    /// True when a typing event for `room` may be published now (at most one per `interval`).
    func mayPublishTyping(in room: Int, interval: Double) -> Bool {
        let now = monotonicNanoseconds()
        if let last = lastTyping[room], Double(now &- last) / 1e9 < interval { return false }
        if lastTyping.count > 16 { lastTyping.removeAll() }  // bounded; a cleared entry only lets one through
        lastTyping[room] = now
        return true
    }
}
