import Foundation
import Testing

@testable import room_svc

@Suite(.timeLimit(.minutes(1))) struct AuthorizationTests {
    @Test func nonMembersGet404ForEveryReadAndWriteOfARoom() throws {
        try RoomHarness.with { h in
            let ada = try h.makeUser("ada")
            try h.makeUser("bob")
            let eve = try h.makeUser("eve")
            let group = try h.createGroup(ada, "Secret", members: ["bob"])
            let priv = try #require(try h.createPrivate(ada, with: "bob").object["id"] as? Int)
            let message = try h.sendID(ada, group, "for members")
            let spy = try RedisSpy(port: h.redisServer.port)

            for room in [group, priv, 999_999] {
                let calls: [(String, String, Any?, [UInt8]?)] = [
                    ("GET", "/api/rooms/\(room)", nil, nil),
                    ("PATCH", "/api/rooms/\(room)", ["name": "mine"], nil),
                    ("PUT", "/api/rooms/\(room)/picture", nil, ImageFixture.png()),
                    ("POST", "/api/rooms/\(room)/members", ["username": "eve"], nil),
                    ("DELETE", "/api/rooms/\(room)/members/me", nil, nil),
                    ("GET", "/api/rooms/\(room)/messages", nil, nil),
                    ("GET", "/api/rooms/\(room)/messages?after=0", nil, nil),
                    ("POST", "/api/rooms/\(room)/messages", ["body": "let me in"], nil),
                    ("POST", "/api/rooms/\(room)/images", nil, ImageFixture.png(salt: "eve")),
                    ("POST", "/api/rooms/\(room)/read", ["message_id": message], nil),
                    ("POST", "/api/rooms/\(room)/clear", nil, nil),
                ]
                for (method, path, json, body) in calls {
                    let r = try h.call(eve, method, path, json: json, body: body)
                    #expect(r.status == 404, "\(method) \(path) → \(r.status)")
                    #expect(r.errorCode == "not_found", "\(method) \(path)")
                }
            }
            #expect(try h.rooms(eve).isEmpty)
            #expect(try h.messages(ada, group).ids == [message])
            #expect(try h.call(ada, "GET", "/api/rooms/\(group)").object["name"] as? String == "Secret")
            #expect(try spy.drain().isEmpty)
            // Nothing eve uploaded was kept.
            let media = try FileManager.default.contentsOfDirectory(atPath: h.dir.path + "/media")
            #expect(media.isEmpty)
        }
    }

    @Test func requestsWithoutTheNginxIdentityGet401() throws {
        try RoomHarness.with { h in
            let ada = try h.makeUser("ada")
            let room = try h.createGroup(ada)
            for (method, path) in [("GET", "/api/rooms"), ("POST", "/api/rooms"), ("GET", "/api/rooms/\(room)"),
                                   ("GET", "/api/rooms/\(room)/messages"), ("POST", "/api/rooms/\(room)/messages"),
                                   ("GET", "/media/" + String(repeating: "a", count: 64) + ".png")] {
                let r = try h.call(nil, method, path, json: method == "POST" ? ["body": "x"] : nil)
                #expect(r.status == 401, "\(method) \(path)")
            }
            #expect(try h.call(nil, "GET", "/api/rooms", headers: [("X-User-Id", "abc")]).status == 401)
            #expect(try h.call(nil, "GET", "/api/rooms", headers: [("X-User-Id", "-3")]).status == 401)
        }
    }

    @Test func badIdsAre404() throws {
        try RoomHarness.with { h in
            let ada = try h.makeUser("ada")
            for path in ["/api/rooms/0", "/api/rooms/-1", "/api/rooms/abc", "/api/rooms/1.5/messages", "/api/rooms/99999999999999999999"] {
                #expect(try h.call(ada, "GET", path).status == 404, "\(path)")
            }
        }
    }
}
