import FoundationEssentials

/// What one Redis pub/sub message means to this relay, decoded once on the subscriber thread.
///
/// Channels and payloads (TEAM conventions):
/// - `room:<id>`: a frame for the room's members, exactly as sockets get it (from room-svc), or, from a
///   relay, `!<user id>\n<frame>`: a frame for everyone in the room but that user's sockets (typing).
/// - `user:<id>`: a frame for one user's sockets. `room` and `room_left` frames also change which rooms
///   those sockets follow; `sessions_ended` (from auth-svc) closes the sockets of those sessions and
///   is not forwarded.
/// - `presence`: `<room id>,<room id>…\n<frame>`: one frame for every socket sharing one of those rooms
///   with the user it is about, sent once per socket however many rooms they share.
/// - `__keyevent@<db>__:expired`: a key expired; `presence:<user>:<instance>` means a relay stopped
///   refreshing that user (it crashed), who may now be offline.
struct Envelope: Sendable {
    enum Target: Sendable, Equatable {
        case room(Int)
        case user(Int)
        case rooms([Int])
    }

    /// What a personal event does besides (or instead of) reaching the user's sockets.
    enum Action: Sendable, Equatable {
        case joined(Int)
        case left(Int)
        case sessionsEnded([Int])
    }

    var target: Target
    /// The frame text (JSON).
    var frame: ArraySlice<UInt8>
    /// Sockets of this user do not get the frame.
    var except: Int?
    var action: Action?

    static let presenceChannel = "presence"
    static func roomChannel(_ id: Int) -> String { "room:\(id)" }
    static func userChannel(_ id: Int) -> String { "user:\(id)" }

    /// The payload a relay publishes for a frame every member but `user` should get.
    static func exceptUser(_ user: Int, _ frame: String) -> String { "!\(user)\n" + frame }

    /// The payload of a presence change for the members of `rooms`.
    static func presence(rooms: [Int], _ frame: String) -> String {
        rooms.map(String.init).joined(separator: ",") + "\n" + frame
    }

    /// Decodes a message; nil for channels and payloads this relay does not know (logged by the caller).
    init?(channel: String, payload: [UInt8]) {
        if let id = Envelope.id(channel, prefix: "room:") {
            target = .room(id)
            if payload.first == UInt8(ascii: "!") {
                guard let (head, rest) = Envelope.splitLine(payload), let user = Int(head.dropFirst()) else { return nil }
                except = user
                frame = rest
            } else {
                frame = payload[...]
            }
        } else if let id = Envelope.id(channel, prefix: "user:") {
            target = .user(id)
            frame = payload[...]
            action = Envelope.action(in: payload)
        } else if channel == Envelope.presenceChannel {
            guard let (head, rest) = Envelope.splitLine(payload) else { return nil }
            let rooms = head.split(separator: ",").compactMap { Int($0) }
            target = .rooms(rooms)
            frame = rest
            except = Envelope.presenceSubject(rest)
        } else {
            return nil
        }
        guard frame.first == UInt8(ascii: "{") else { return nil }
    }

    private static func id(_ channel: String, prefix: String) -> Int? {
        guard channel.hasPrefix(prefix), let id = Int(channel.dropFirst(prefix.count)), id > 0 else { return nil }
        return id
    }

    /// `head\nrest` → (head as text, rest).
    private static func splitLine(_ payload: [UInt8]) -> (Substring, ArraySlice<UInt8>)? {
        guard let newline = payload.firstIndex(of: UInt8(ascii: "\n")) else { return nil }
        let head = String(decoding: payload[..<newline], as: UTF8.self)
        return (head[...], payload[(newline + 1)...])
    }

    private struct Personal: Decodable {
        struct Room: Decodable { var id: Int }
        var type: String
        var room: Room?
        var room_id: Int?
        var session_ids: [Int]?
    }

    /// `room` (joined, added, created, renamed), `room_left` and `sessions_ended` frames on a user channel.
    private static func action(in payload: [UInt8]) -> Action? {
        guard let frame = try? JSONDecoder().decode(Personal.self, from: Data(payload)) else { return nil }
        switch frame.type {
        case "room": return frame.room.map { .joined($0.id) }
        case "room_left": return frame.room_id.map { .left($0) }
        case "sessions_ended": return frame.session_ids.map { .sessionsEnded($0) }
        default: return nil
        }
    }

    private struct PresenceFrame: Decodable { var user_id: Int }

    /// Whose presence a presence frame tells: they do not get it themselves.
    private static func presenceSubject(_ frame: ArraySlice<UInt8>) -> Int? {
        (try? JSONDecoder().decode(PresenceFrame.self, from: Data(frame)))?.user_id
    }

    /// `presence:<user>:<instance>` → (user, instance).
    static func presenceKey(_ key: String) -> (user: Int, instance: String)? {
        let parts = key.split(separator: ":", maxSplits: 2)
        guard parts.count == 3, parts[0] == "presence", let user = Int(parts[1]) else { return nil }
        return (user, String(parts[2]))
    }
}
