import Foundation
import Testing

@testable import room_svc

@Suite(.timeLimit(.minutes(1))) struct RoomsTests {
    @Test func privateRoomIsOnePerPairAndNamedAfterTheOtherMember() throws {
        try RoomHarness.with { h in
            let ada = try h.makeUser("ada", displayName: "Ada L.")
            let bob = try h.makeUser("bob", displayName: "Bob B.", avatar: String(repeating: "c", count: 64) + ".png")
            let first = try h.createPrivate(ada, with: "BOB")  // usernames ignore case
            #expect(first.status == 201)
            #expect(first.object["kind"] as? String == "private")
            #expect(first.object["name"] as? String == "Bob B.")
            #expect(first.object["picture_url"] as? String == "/media/" + String(repeating: "c", count: 64) + ".png")
            #expect(first.object["unread"] as? Int == 0)
            #expect(first.object["last_message"] is NSNull)
            let id = try #require(first.object["id"] as? Int)

            let again = try h.createPrivate(ada, with: "bob")
            #expect(again.status == 200)
            #expect(again.object["id"] as? Int == id)
            let reverse = try h.createPrivate(bob, with: "ada")
            #expect(reverse.status == 200)
            #expect(reverse.object["id"] as? Int == id)
            #expect(reverse.object["name"] as? String == "Ada L.")
            #expect(reverse.object["picture_url"] is NSNull)

            let detail = try h.call(ada, "GET", "/api/rooms/\(id)")
            let members = try #require(detail.object["members"] as? [[String: Any]])
            #expect(Set(members.compactMap { $0["id"] as? Int }) == [ada, bob])
            #expect(members.allSatisfy { $0["online"] as? Bool == false && $0["last_read_id"] is NSNull })
            #expect(members.allSatisfy { $0["email"] == nil })
        }
    }

    @Test func privateRoomRefusesYourselfAndUnknownOrInactiveUsers() throws {
        try RoomHarness.with { h in
            let ada = try h.makeUser("ada")
            try h.makeUser("gone", active: false)
            let me = try h.createPrivate(ada, with: "ada")
            #expect(me.status == 400)
            #expect((me.object["error"] as? [String: Any])?["fields"] as? [String: String] != nil)
            #expect(try h.createPrivate(ada, with: "nobody").status == 404)
            #expect(try h.createPrivate(ada, with: "nobody").errorCode == "user_not_found")
            #expect(try h.createPrivate(ada, with: "gone").status == 404)
            #expect(try h.createPrivate(ada, with: "").status == 400)
            #expect(try h.call(ada, "POST", "/api/rooms", json: ["kind": "secret"]).status == 400)
            #expect(try h.call(ada, "POST", "/api/rooms", json: ["kind": 5]).status == 400)
            #expect(try h.call(ada, "POST", "/api/rooms", body: Array("{".utf8), headers: [("Content-Type", "application/json")]).status == 400)
            #expect(try h.call(ada, "POST", "/api/rooms", body: Array("kind=group".utf8)).status == 415)
            #expect(try h.rooms(ada).isEmpty)
        }
    }

    @Test func groupRoomValidatesNameAndMembersAndIncludesTheCaller() throws {
        try RoomHarness.with { h in
            let ada = try h.makeUser("ada")
            let bob = try h.makeUser("bob")
            let cy = try h.makeUser("cy")
            let empty = try h.call(ada, "POST", "/api/rooms", json: ["kind": "group", "name": "   ", "members": []])
            #expect(empty.status == 400)
            let long = try h.call(ada, "POST", "/api/rooms", json: ["kind": "group", "name": String(repeating: "n", count: 81), "members": []])
            #expect(long.status == 400)
            let unknown = try h.call(ada, "POST", "/api/rooms", json: ["kind": "group", "name": "x", "members": ["bob", "zed"]])
            #expect(unknown.status == 400)
            #expect(((unknown.object["error"] as? [String: Any])?["fields"] as? [String: String])?["members"]?.contains("zed") == true)

            let made = try h.call(ada, "POST", "/api/rooms",
                                  json: ["kind": "group", "name": " " + String(repeating: "é", count: 80) + " ", "members": ["bob", "CY", "ada", "bob"]])
            #expect(made.status == 201)
            #expect(made.object["name"] as? String == String(repeating: "é", count: 80))
            let id = try #require(made.object["id"] as? Int)
            let members = try h.call(bob, "GET", "/api/rooms/\(id)").object["members"] as? [[String: Any]] ?? []
            #expect(members.compactMap { $0["id"] as? Int } == [ada, bob, cy])
            #expect(try h.room(cy, id)?["kind"] as? String == "group")
        }
    }

    @Test func roomListIsLatestActivityFirstWithLastMessage() throws {
        try RoomHarness.with { h in
            let ada = try h.makeUser("ada")
            try h.makeUser("bob")
            let a = try h.createGroup(ada, "A")
            let b = try h.createGroup(ada, "B")
            let c = try h.createGroup(ada, "C")
            #expect(try h.rooms(ada).compactMap { $0["id"] as? Int } == [c, b, a])
            let m = try h.sendID(ada, a, "wake up")
            let rooms = try h.rooms(ada)
            #expect(rooms.compactMap { $0["id"] as? Int } == [a, c, b])
            let last = try #require(rooms.first?["last_message"] as? [String: Any])
            #expect(last["id"] as? Int == m)
            #expect(last["body"] as? String == "wake up")
            #expect((last["author"] as? [String: Any])?["username"] as? String == "ada")
            #expect(rooms.first?["created_at"] as? String != nil)
        }
    }

    @Test func renamePictureAddAndLeaveAreForGroupsOnly() throws {
        try RoomHarness.with { h in
            let ada = try h.makeUser("ada")
            let bob = try h.makeUser("bob")
            try h.makeUser("cy")
            let group = try h.createGroup(ada, "Team", members: ["bob"])
            let priv = try #require(try h.createPrivate(ada, with: "bob").object["id"] as? Int)

            let renamed = try h.call(bob, "PATCH", "/api/rooms/\(group)", json: ["name": "Crew"])
            #expect(renamed.status == 200)
            #expect(renamed.object["name"] as? String == "Crew")
            #expect(try h.call(bob, "PATCH", "/api/rooms/\(group)", json: ["name": ""]).status == 400)
            #expect(try h.call(bob, "PATCH", "/api/rooms/\(priv)", json: ["name": "Us"]).status == 403)
            #expect(try h.call(bob, "PATCH", "/api/rooms/\(priv)", json: ["name": "Us"]).errorCode == "private_room")

            let picture = try h.call(ada, "PUT", "/api/rooms/\(group)/picture", body: ImageFixture.png(), headers: [("Content-Type", "image/png")])
            #expect(picture.status == 200)
            let url = try #require(picture.object["picture_url"] as? String)
            #expect(url.hasPrefix("/media/") && url.hasSuffix(".png"))
            #expect(FileManager.default.fileExists(atPath: h.dir.path + "/media/" + url.dropFirst("/media/".count)))
            #expect(try h.call(ada, "PUT", "/api/rooms/\(priv)/picture", body: ImageFixture.png()).status == 403)
            #expect(try h.call(ada, "PUT", "/api/rooms/\(group)/picture", body: Array("not an image".utf8)).status == 415)
            let big = ImageFixture.png() + [UInt8](repeating: 0, count: 2 * 1024 * 1024)
            #expect(try h.call(ada, "PUT", "/api/rooms/\(group)/picture", body: big).status == 413)

            let added = try h.call(bob, "POST", "/api/rooms/\(group)/members", json: ["username": "cy"])
            #expect(added.status == 200)
            let again = try h.call(ada, "POST", "/api/rooms/\(group)/members", json: ["username": "CY"])
            #expect(again.status == 200)
            #expect((try h.call(ada, "GET", "/api/rooms/\(group)").object["members"] as? [Any])?.count == 3)
            #expect(try h.call(ada, "POST", "/api/rooms/\(group)/members", json: ["username": "nobody"]).status == 404)
            #expect(try h.call(ada, "POST", "/api/rooms/\(priv)/members", json: ["username": "cy"]).status == 403)

            #expect(try h.call(bob, "DELETE", "/api/rooms/\(group)/members/me").status == 204)
            #expect(try h.call(bob, "GET", "/api/rooms/\(group)").status == 404)
            #expect(try h.room(bob, group) == nil)
            #expect(try h.call(bob, "DELETE", "/api/rooms/\(group)/members/me").status == 404)
            #expect(try h.call(ada, "DELETE", "/api/rooms/\(priv)/members/me").status == 403)
        }
    }

    @Test func aMemberAddedLaterHasNothingUnreadButSeesHistory() throws {
        try RoomHarness.with { h in
            let ada = try h.makeUser("ada")
            let bob = try h.makeUser("bob")
            let group = try h.createGroup(ada, "Team")
            for i in 0..<3 { try h.sendID(ada, group, "before \(i)") }
            #expect(try h.call(ada, "POST", "/api/rooms/\(group)/members", json: ["username": "bob"]).status == 200)
            #expect(try h.room(bob, group)?["unread"] as? Int == 0)
            #expect(try h.messages(bob, group).ids.count == 3)
            try h.sendID(ada, group, "after")
            #expect(try h.room(bob, group)?["unread"] as? Int == 1)
        }
    }
}
