import HTTP
import WebSocket

/// The server → client frames relay-svc writes itself (API.md "Real time"); the rest come ready-made
/// from room-svc over Redis.
enum Frames {
    static func hello(userJSON: String, rooms: [Int]) -> String {
        #"{"type":"hello","user":"# + userJSON + #","rooms":["# + rooms.map(String.init).joined(separator: ",") + "]}"
    }

    static func typing(room: Int, userJSON: String) -> String {
        #"{"type":"typing","room_id":"# + String(room) + #","user":"# + userJSON + "}"
    }

    static func presence(user: Int, online: Bool) -> String {
        #"{"type":"presence","user_id":"# + String(user) + #","online":"# + (online ? "true" : "false") + "}"
    }

    static func error(_ code: String, _ message: String) -> SharedBytes {
        SharedBytes(FrameEncoder.text(#"{"type":"error","code":"# + JSON.quote(code) + #","message":"# + JSON.quote(message) + "}"))
    }

    static let pong = SharedBytes(FrameEncoder.text(#"{"type":"pong"}"#))
    static let resync = SharedBytes(FrameEncoder.text(#"{"type":"resync"}"#))
}
