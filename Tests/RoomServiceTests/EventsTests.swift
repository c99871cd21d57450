import Foundation
import Testing

@testable import room_svc

/// What room-svc publishes on Redis: the exact WebSocket frames of API.md "Real time", after commit.
@Suite(.timeLimit(.minutes(1))) struct EventsTests {
    @Test func aStoredMessageIsPublishedOnItsRoomAfterCommit() throws {
        try RoomHarness.with { h in
            let ada = try h.makeUser("ada")
            let room = try h.createGroup(ada)
            let spy = try RedisSpy(port: h.redisServer.port)
            let sent = try h.send(ada, room, "hi", clientID: "x1")
            let event = try #require(try spy.nextJSON())
            #expect(event.channel == "room:\(room)")
            #expect(event.json["type"] as? String == "message")
            #expect(event.json["room_id"] as? Int == room)
            let message = try #require(event.json["message"] as? [String: Any])
            #expect(NSDictionary(dictionary: message).isEqual(to: sent.object))
            // When the frame arrives, the message is already readable (stored before published).
            let id = try #require(message["id"] as? Int)
            #expect(try h.messages(ada, room).ids == [id])
            #expect(Set(event.json.keys) == ["type", "room_id", "message"])
        }
    }

    @Test func roomCreationIsPublishedToEachMembersOwnChannel() throws {
        try RoomHarness.with { h in
            let ada = try h.makeUser("ada", displayName: "Ada")
            let bob = try h.makeUser("bob", displayName: "Bob")
            let cy = try h.makeUser("cy")
            let spy = try RedisSpy(port: h.redisServer.port)
            let priv = try #require(try h.createPrivate(ada, with: "bob").object["id"] as? Int)
            let events = try spy.drain()
            #expect(events.map(\.channel) == ["user:\(ada)", "user:\(bob)"])
            let toBob = try JSONSerialization.jsonObject(with: Data(events[1].payload.utf8)) as? [String: Any] ?? [:]
            #expect(toBob["type"] as? String == "room")
            let bobsRoom = toBob["room"] as? [String: Any] ?? [:]
            #expect(bobsRoom["id"] as? Int == priv)
            #expect(bobsRoom["name"] as? String == "Ada")  // as bob sees it
            #expect(bobsRoom["unread"] as? Int == 0)

            _ = try h.createPrivate(ada, with: "bob")  // exists: nothing new
            #expect(try spy.drain().isEmpty)

            let group = try h.createGroup(ada, "G", members: ["bob", "cy"])
            let groupEvents = try spy.drain()
            #expect(Set(groupEvents.map(\.channel)) == ["user:\(ada)", "user:\(bob)", "user:\(cy)"])
            #expect(groupEvents.allSatisfy { $0.payload.contains("\"id\":\(group)") })
        }
    }

    @Test func membershipAndRoomChangesArePublished() throws {
        try RoomHarness.with { h in
            let ada = try h.makeUser("ada")
            let bob = try h.makeUser("bob")
            let room = try h.createGroup(ada, "Before")
            try h.sendID(ada, room, "history")
            let spy = try RedisSpy(port: h.redisServer.port)

            _ = try h.call(ada, "POST", "/api/rooms/\(room)/members", json: ["username": "bob"])
            let added = try spy.drain()
            #expect(added.map(\.channel) == ["user:\(bob)", "room:\(room)"])
            let personal = try JSONSerialization.jsonObject(with: Data(added[0].payload.utf8)) as? [String: Any] ?? [:]
            #expect((personal["room"] as? [String: Any])?["last_message"] is [String: Any])
            _ = try h.call(ada, "POST", "/api/rooms/\(room)/members", json: ["username": "bob"])
            #expect(try spy.drain().isEmpty)  // already a member

            _ = try h.call(bob, "PATCH", "/api/rooms/\(room)", json: ["name": "After"])
            let renamed = try #require(try spy.nextJSON())
            #expect(renamed.channel == "room:\(room)")
            #expect(renamed.json["type"] as? String == "room")
            let broadcast = renamed.json["room"] as? [String: Any] ?? [:]
            #expect(broadcast["name"] as? String == "After")
            // Per-viewer fields are not in the shared frame.
            #expect(broadcast["unread"] == nil && broadcast["last_read_id"] == nil)

            _ = try h.call(ada, "PUT", "/api/rooms/\(room)/picture", body: ImageFixture.png())
            let picture = try #require(try spy.nextJSON())
            #expect((picture.json["room"] as? [String: Any])?["picture_url"] is String)

            _ = try h.call(bob, "DELETE", "/api/rooms/\(room)/members/me")
            let left = try spy.drain()
            #expect(left.map(\.channel) == ["room:\(room)", "user:\(bob)"])
            #expect(left.last?.payload == "{\"type\":\"room_left\",\"room_id\":\(room)}")

            _ = try h.call(ada, "POST", "/api/rooms/\(room)/clear")
            #expect(try spy.drain().isEmpty)  // personal, nothing to announce
        }
    }

    @Test func refusedRequestsPublishNothing() throws {
        try RoomHarness.with(["SEND_RATE_PER_10S": "1"]) { h in
            let ada = try h.makeUser("ada")
            let room = try h.createGroup(ada)
            let spy = try RedisSpy(port: h.redisServer.port)
            #expect(try h.send(ada, room, " ").status == 400)
            #expect(try h.send(ada, room, "ok").status == 201)
            #expect(try h.send(ada, room, "limited").status == 429)
            #expect(try spy.drain().count == 1)
        }
    }
}
