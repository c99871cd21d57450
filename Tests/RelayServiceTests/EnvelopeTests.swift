import Testing

@testable import relay_svc

/// The relay's reading of Redis messages (TEAM conventions; see `Envelope`).
@Suite struct EnvelopeTests {
    private func text(_ frame: ArraySlice<UInt8>) -> String { String(decoding: frame, as: UTF8.self) }

    @Test func roomFramesFromRoomServicePassThroughUntouched() throws {
        let frame = #"{"type":"message","room_id":7,"message":{"id":1}}"#
        let e = try #require(Envelope(channel: "room:7", payload: Array(frame.utf8)))
        #expect(e.target == .room(7))
        #expect(text(e.frame) == frame)
        #expect(e.except == nil && e.action == nil)
    }

    @Test func typingFromARelaySkipsTheTypist() throws {
        let payload = Envelope.exceptUser(42, Frames.typing(room: 7, userJSON: #"{"id":42}"#))
        let e = try #require(Envelope(channel: "room:7", payload: Array(payload.utf8)))
        #expect(e.except == 42)
        #expect(text(e.frame) == #"{"type":"typing","room_id":7,"user":{"id":42}}"#)
    }

    @Test func personalFramesCarryMembershipAndSessionChanges() throws {
        let joined = try #require(Envelope(channel: "user:3", payload: Array(#"{"type":"room","room":{"id":9,"name":"x"}}"#.utf8)))
        #expect(joined.target == .user(3))
        #expect(joined.action == .joined(9))
        let left = try #require(Envelope(channel: "user:3", payload: Array(#"{"type":"room_left","room_id":9}"#.utf8)))
        #expect(left.action == .left(9))
        let ended = try #require(Envelope(channel: "user:3", payload: Array(#"{"type":"sessions_ended","session_ids":[4,5]}"#.utf8)))
        #expect(ended.action == .sessionsEnded([4, 5]))
        let other = try #require(Envelope(channel: "user:3", payload: Array(#"{"type":"read","room_id":9}"#.utf8)))
        #expect(other.action == nil)
    }

    @Test func presenceGoesToTheSubjectsRoomsButNotToThemselves() throws {
        let payload = Envelope.presence(rooms: [4, 5], Frames.presence(user: 8, online: false))
        let e = try #require(Envelope(channel: Envelope.presenceChannel, payload: Array(payload.utf8)))
        #expect(e.target == .rooms([4, 5]))
        #expect(e.except == 8)
        #expect(text(e.frame) == #"{"type":"presence","user_id":8,"online":false}"#)
    }

    @Test func unknownChannelsAndMalformedPayloadsAreRefused() {
        #expect(Envelope(channel: "rooms:1", payload: Array("{}".utf8)) == nil)
        #expect(Envelope(channel: "room:0", payload: Array("{}".utf8)) == nil)
        #expect(Envelope(channel: "room:x", payload: Array("{}".utf8)) == nil)
        #expect(Envelope(channel: "room:1", payload: Array("!42 no newline".utf8)) == nil)
        #expect(Envelope(channel: "room:1", payload: Array("!x\n{}".utf8)) == nil)
        #expect(Envelope(channel: "room:1", payload: Array("not json".utf8)) == nil)
        #expect(Envelope(channel: "presence", payload: Array("{}".utf8)) == nil)
        #expect(Envelope(channel: "user:1", payload: []) == nil)
    }

    @Test func presenceKeysNameUserAndInstance() {
        #expect(Envelope.presenceKey("presence:12:relay-a") ?? (0, "") == (12, "relay-a"))
        #expect(Envelope.presenceKey("presence:state:12") == nil)
        #expect(Envelope.presenceKey("relay:alive:x") == nil)
    }

    @Test func helloListsTheRooms() {
        #expect(Frames.hello(userJSON: #"{"id":1}"#, rooms: [2, 3]) == #"{"type":"hello","user":{"id":1},"rooms":[2,3]}"#)
    }

    @Test func publicOriginDropsPathsAndDefaultPorts() {
        #expect(RelayConfig.origin(of: "https://chat.example.com/app") == "https://chat.example.com")
        #expect(RelayConfig.origin(of: "http://127.0.0.1:8080") == "http://127.0.0.1:8080")
        #expect(RelayConfig.origin(of: "https://chat.example.com:443") == "https://chat.example.com")
    }
}
