import Foundation
import Testing
import TestSupport

@testable import room_svc

@Suite(.timeLimit(.minutes(1))) struct InternalTests {
    @Test func relayLearnsRoomsAndMembership() throws {
        try RoomHarness.with { h in
            let ada = try h.makeUser("ada")
            let bob = try h.makeUser("bob")
            let a = try h.createGroup(ada, "A", members: ["bob"])
            let b = try h.createGroup(ada, "B")
            let rooms = try plainGet(h, "/internal/users/\(ada)/rooms")
            #expect(rooms.status == 200)
            #expect(rooms.object["rooms"] as? [Int] == [a, b])
            #expect(try plainGet(h, "/internal/users/\(bob)/rooms").object["rooms"] as? [Int] == [a])
            #expect((rooms.object["user"] as? [String: Any])?["username"] as? String == "ada")
            #expect((rooms.object["user"] as? [String: Any])?["id"] as? Int == ada)
            #expect(try plainGet(h, "/internal/users/999/rooms").status == 404)
            #expect(try plainGet(h, "/internal/rooms/\(a)/members/\(bob)").status == 204)
            #expect(try plainGet(h, "/internal/rooms/\(b)/members/\(bob)").status == 404)
            #expect(try plainGet(h, "/internal/rooms/999/members/\(bob)").status == 404)
        }
    }

    @Test func membersCarryPresenceFromRelayKeys() throws {
        try RoomHarness.with { h in
            let ada = try h.makeUser("ada")
            let bob = try h.makeUser("bob")
            let cy = try h.makeUser("cy")
            let room = try h.createGroup(ada, members: ["bob", "cy"])
            let redis = try RedisSpyClient(port: h.redisServer.port)
            try redis.run(["SADD", "relay:instances", "r1", "r2", "dead"])
            try redis.run(["SET", "relay:alive:r1", "1", "EX", "60"])
            try redis.run(["SET", "relay:alive:r2", "1", "EX", "60"])
            try redis.run(["SET", "presence:\(bob):r2", "1", "EX", "60"])
            try redis.run(["SET", "presence:\(cy):dead", "1", "EX", "60"])  // its relay is gone
            let members = try h.call(ada, "GET", "/api/rooms/\(room)").object["members"] as? [[String: Any]] ?? []
            let online = Dictionary(uniqueKeysWithValues: members.map { ($0["id"] as? Int ?? 0, $0["online"] as? Bool) })
            #expect(online == [ada: false, bob: true, cy: false])
        }
    }

    @Test func healthNeedsSQLiteAndRedis() throws {
        try RoomHarness.with { h in
            #expect(try plainGet(h, "/healthz").status == 200)
            h.redisServer.stop()
            #expect(try plainGet(h, "/healthz").status == 503)
            // With Redis down, sends are still stored (and clients catch up later).
            let ada = try h.makeUser("ada")
            let room = try h.createGroup(ada)
            #expect(try h.send(ada, room, "stored anyway").status == 201)
            #expect(try h.messages(ada, room).ids.count == 1)
        }
    }
}

private func plainGet(_ h: RoomHarness, _ path: String) throws -> TestResponse {
    try h.call(nil, "GET", path)
}
