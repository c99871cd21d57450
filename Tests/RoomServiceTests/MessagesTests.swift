import Foundation
import Testing

@testable import room_svc

@Suite(.timeLimit(.minutes(1))) struct MessagesTests {
    @Test func sendReturnsTheStoredMessage() throws {
        try RoomHarness.with { h in
            let ada = try h.makeUser("ada", displayName: "Ada")
            let room = try h.createGroup(ada)
            let r = try h.send(ada, room, "hello <b>there</b> \"quoted\" ✓", clientID: "c-1")
            #expect(r.status == 201)
            #expect(r.headers["Content-Type"] == "application/json")
            let m = r.object
            #expect(m["room_id"] as? Int == room)
            #expect(m["kind"] as? String == "text")
            #expect(m["body"] as? String == "hello <b>there</b> \"quoted\" ✓")
            #expect(m["image_url"] is NSNull)
            #expect(m["client_id"] as? String == "c-1")
            let author = try #require(m["author"] as? [String: Any])
            #expect(author["id"] as? Int == ada)
            #expect(author["display_name"] as? String == "Ada")
            #expect(author["avatar_url"] is NSNull)
            let created = try #require(m["created_at"] as? String)
            #expect(created.count == 24 && created.hasSuffix("Z"))
            #expect(try h.send(ada, room, "no client id").object["client_id"] is NSNull)
        }
    }

    @Test func bodyMustBe1To4000CharactersNotOnlyWhiteSpace() throws {
        try RoomHarness.with { h in
            let ada = try h.makeUser("ada")
            let room = try h.createGroup(ada)
            #expect(try h.send(ada, room, "").status == 400)
            #expect(try h.send(ada, room, " \n\t ").status == 400)
            #expect(try h.send(ada, room, String(repeating: "x", count: 4001)).status == 400)
            #expect(try h.send(ada, room, String(repeating: "👍🏽", count: 4000)).status == 201)  // characters, not bytes
            #expect(try h.send(ada, room, "ok", clientID: String(repeating: "k", count: 65)).status == 400)
            #expect(try h.send(ada, room, "ok", clientID: "").status == 400)
            #expect(try h.call(ada, "POST", "/api/rooms/\(room)/messages", json: ["text": "hi"]).status == 400)
            #expect(try h.call(ada, "POST", "/api/rooms/\(room)/messages", json: ["body": 12]).status == 400)
            #expect(try h.call(ada, "POST", "/api/rooms/\(room)/messages", body: Array("{\"body\":".utf8),
                               headers: [("Content-Type", "application/json")]).status == 400)
            #expect(try h.call(ada, "POST", "/api/rooms/\(room)/messages", body: Array("hi".utf8),
                               headers: [("Content-Type", "text/plain")]).status == 415)
            #expect(try h.messages(ada, room).ids.count == 1)
        }
    }

    @Test func theSameClientIDStoresAndPublishesOnce() throws {
        try RoomHarness.with { h in
            let ada = try h.makeUser("ada")
            let bob = try h.makeUser("bob")
            let room = try h.createGroup(ada, members: ["bob"])
            let other = try h.createGroup(ada, "Other")
            let spy = try RedisSpy(port: h.redisServer.port)
            let first = try h.send(ada, room, "once", clientID: "retry-me")
            #expect(first.status == 201)
            let again = try h.send(ada, room, "once (retried)", clientID: "retry-me")
            #expect(again.status == 200)
            #expect(again.object["id"] as? Int == first.object["id"] as? Int)
            #expect(again.object["body"] as? String == "once")
            // Another user may use the same client id; another room may not reuse the author's.
            #expect(try h.send(bob, room, "mine", clientID: "retry-me").status == 201)
            #expect(try h.send(ada, other, "elsewhere", clientID: "retry-me").status == 409)
            #expect(try h.messages(ada, room).ids.count == 2)
            let events = try spy.drain()
            #expect(events.filter { $0.channel == "room:\(room)" }.count == 2)
            #expect(!events.contains { $0.channel == "room:\(other)" })
        }
    }

    @Test func sendsPastTheRateGet429WithRetryAfter() throws {
        try RoomHarness.with(["SEND_RATE_PER_10S": "3"]) { h in
            let ada = try h.makeUser("ada")
            let bob = try h.makeUser("bob")
            let room = try h.createGroup(ada, members: ["bob"])
            for i in 0..<3 { #expect(try h.send(ada, room, "m\(i)").status == 201) }
            let limited = try h.send(ada, room, "too many")
            #expect(limited.status == 429)
            #expect(limited.errorCode == "rate_limited")
            #expect(Int(limited.headers["Retry-After"] ?? "") ?? 0 >= 1)
            #expect(try h.call(ada, "POST", "/api/rooms/\(room)/images", body: ImageFixture.png()).status == 429)
            #expect(try h.send(bob, room, "someone else").status == 201)
            #expect(try h.messages(ada, room).ids.count == 4)
        }
    }

    @Test func historyPagesBackwardAndForwardOverHundredsOfMessages() throws {
        try RoomHarness.with(["SEND_RATE_PER_10S": "100000"]) { h in
            let ada = try h.makeUser("ada")
            let room = try h.createGroup(ada)
            let noise = try h.createGroup(ada, "Noise")
            var sent: [Int] = []
            for i in 0..<260 {
                sent.append(try h.sendID(ada, room, "m\(i)"))
                if i % 20 == 0 { try h.sendID(ada, noise, "other room \(i)") }
            }
            let latest = try h.messages(ada, room)
            #expect(latest.ids == Array(sent.suffix(50)))
            #expect(latest.hasMore)

            // Scroll back with before= until the start.
            var collected = latest.ids
            var more = latest.hasMore
            while more {
                let page = try h.messages(ada, room, "?before=\(collected[0])&limit=100")
                #expect(page.ids.count <= 100)
                #expect(page.ids == page.ids.sorted())
                collected = page.ids + collected
                more = page.hasMore
            }
            #expect(collected == sent)

            // Catch up with after= from the start.
            var forward: [Int] = []
            var cursor = 0
            while true {
                let page = try h.messages(ada, room, "?after=\(cursor)&limit=70")
                forward += page.ids
                guard page.hasMore, let last = page.ids.last else { break }
                cursor = last
            }
            #expect(forward == sent)
            let tail = try h.messages(ada, room, "?after=\(sent[249])")
            #expect(tail.ids == Array(sent[250...]))
            #expect(!tail.hasMore)
            #expect(try h.messages(ada, room, "?after=\(sent.last!)").ids.isEmpty)

            #expect(try h.messages(ada, room, "?limit=0").status == 400)
            #expect(try h.messages(ada, room, "?limit=101").status == 400)
            #expect(try h.messages(ada, room, "?limit=abc").status == 400)
            #expect(try h.messages(ada, room, "?before=5&after=1").status == 400)
            #expect(try h.messages(ada, room, "?limit=1").ids == [sent.last!])
        }
    }

    @Test func readPositionOnlyMovesForwardAndMustBeInTheRoom() throws {
        try RoomHarness.with { h in
            let ada = try h.makeUser("ada")
            let bob = try h.makeUser("bob")
            let room = try h.createGroup(ada, members: ["bob"])
            let other = try h.createGroup(ada, "Other")
            let m1 = try h.sendID(ada, room, "one")
            let m2 = try h.sendID(ada, room, "two")
            let foreign = try h.sendID(ada, other, "elsewhere")
            let spy = try RedisSpy(port: h.redisServer.port)

            #expect(try h.call(bob, "POST", "/api/rooms/\(room)/read", json: ["message_id": m2]).status == 204)
            #expect(try h.call(bob, "POST", "/api/rooms/\(room)/read", json: ["message_id": m1]).status == 204)
            #expect(try h.room(bob, room)?["last_read_id"] as? Int == m2)
            #expect(try h.call(bob, "POST", "/api/rooms/\(room)/read", json: ["message_id": foreign]).status == 400)
            #expect(try h.call(bob, "POST", "/api/rooms/\(room)/read", json: ["message_id": 999_999]).status == 400)
            #expect(try h.call(bob, "POST", "/api/rooms/\(room)/read", json: ["message_id": "x"]).status == 400)

            let members = try h.call(ada, "GET", "/api/rooms/\(room)").object["members"] as? [[String: Any]] ?? []
            #expect(members.first { $0["id"] as? Int == bob }?["last_read_id"] as? Int == m2)

            // Only the forward move was published.
            let events = try spy.drain()
            #expect(events.count == 1)
            let frame = try JSONSerialization.jsonObject(with: Data(events[0].payload.utf8)) as? [String: Any] ?? [:]
            #expect(events[0].channel == "room:\(room)")
            #expect(frame["type"] as? String == "read")
            #expect(frame["room_id"] as? Int == room)
            #expect(frame["user_id"] as? Int == bob)
            #expect(frame["message_id"] as? Int == m2)
        }
    }

    @Test func unreadCountsOthersMessagesAfterMyReadPositionAndClear() throws {
        try RoomHarness.with { h in
            let ada = try h.makeUser("ada")
            let bob = try h.makeUser("bob")
            let room = try h.createGroup(ada, members: ["bob"])
            var fromAda: [Int] = []
            for i in 0..<4 { fromAda.append(try h.sendID(ada, room, "a\(i)")) }
            try h.sendID(bob, room, "my own")
            #expect(try h.room(bob, room)?["unread"] as? Int == 4)
            #expect(try h.room(ada, room)?["unread"] as? Int == 1)
            _ = try h.call(bob, "POST", "/api/rooms/\(room)/read", json: ["message_id": fromAda[1]])
            #expect(try h.room(bob, room)?["unread"] as? Int == 2)
            #expect(try h.call(bob, "POST", "/api/rooms/\(room)/clear").status == 204)
            #expect(try h.room(bob, room)?["unread"] as? Int == 0)
            try h.sendID(ada, room, "new")
            #expect(try h.room(bob, room)?["unread"] as? Int == 1)
            #expect(try h.room(ada, room)?["unread"] as? Int == 1)
        }
    }

    @Test func unreadCountStopsAtTheCap() throws {
        try RoomHarness.with { h in
            let ada = try h.makeUser("ada")
            let bob = try h.makeUser("bob")
            let room = try h.createGroup(ada, members: ["bob"])
            // A long backlog, written directly: only the count matters here.
            try h.users.write { conn in
                for i in 0..<(RoomView.unreadCap + 5) {
                    try conn.execute("INSERT INTO messages (room_id, author_id, kind, body, created_at) VALUES (?, ?, 'text', ?, 0)",
                                     room, ada, "m\(i)")
                }
            }
            #expect(try h.room(bob, room)?["unread"] as? Int == RoomView.unreadCap)
            let ids = try h.messages(bob, room, "?limit=10").ids
            _ = try h.call(bob, "POST", "/api/rooms/\(room)/read", json: ["message_id": ids[0]])
            #expect(try h.room(bob, room)?["unread"] as? Int == 9)
        }
    }

    @Test func clearHidesHistoryForTheCallerOnly() throws {
        try RoomHarness.with { h in
            let ada = try h.makeUser("ada")
            let bob = try h.makeUser("bob")
            let room = try h.createGroup(ada, members: ["bob"])
            let old = try (0..<3).map { try h.sendID(ada, room, "old \($0)") }
            #expect(try h.call(bob, "POST", "/api/rooms/\(room)/clear").status == 204)
            #expect(try h.messages(bob, room).ids.isEmpty)
            #expect(try h.room(bob, room)?["last_message"] is NSNull)
            #expect(try h.messages(bob, room, "?after=0").ids.isEmpty)
            #expect(try h.messages(bob, room, "?before=\(old[2] + 1)").ids.isEmpty)
            #expect(try h.messages(ada, room).ids == old)

            let new = try h.sendID(ada, room, "new")
            #expect(try h.messages(bob, room).ids == [new])
            #expect(try h.messages(bob, room, "?after=0").ids == [new])
            #expect((try h.room(bob, room)?["last_message"] as? [String: Any])?["id"] as? Int == new)
            #expect(try h.messages(ada, room).ids == old + [new])
        }
    }

    @Test func concurrentRetriesOfOneClientIDStoreOneMessage() throws {
        try RoomHarness.with(["SEND_RATE_PER_10S": "100000"]) { h in
            let ada = try h.makeUser("ada")
            let room = try h.createGroup(ada)
            let spy = try RedisSpy(port: h.redisServer.port)
            let results = ResultBox()
            // Retries that land in one commit batch, mixed with other sends: each gets its own answer.
            DispatchQueue.concurrentPerform(iterations: 32) { i in
                let clientID = i % 2 == 0 ? "same" : "other-\(i)"
                let r = try? h.send(ada, room, "try \(i)", clientID: clientID)
                results.add(r?.status ?? 0, i % 2 == 0 ? r?.object["id"] as? Int ?? 0 : -1)
            }
            let same = zip(results.statuses, results.ids).filter { status, id in id != -1 }
            let sameStatuses = same.map { status, _ in status }
            #expect(sameStatuses.filter { $0 == 201 }.count == 1)
            #expect(sameStatuses.filter { $0 == 200 }.count == 15)
            #expect(Set(same.map { _, id in id }).count == 1)
            #expect(results.statuses.filter { $0 == 201 }.count == 17)
            #expect(try h.messages(ada, room).ids.count == 17)
            #expect(try spy.drain(quiet: 0.5).filter { $0.channel == "room:\(room)" }.count == 17)
        }
    }

    @Test func concurrentSendsAreAllStoredOnceWithIncreasingIds() throws {
        try RoomHarness.with(["SEND_RATE_PER_10S": "100000"]) { h in
            let users = try (0..<8).map { try h.makeUser("user\($0)") }
            let room = try h.createGroup(users[0], members: (1..<8).map { "user\($0)" })
            let spy = try RedisSpy(port: h.redisServer.port)
            let results = ResultBox()
            DispatchQueue.concurrentPerform(iterations: 160) { i in
                let r = try? h.send(users[i % 8], room, "burst \(i)", clientID: "burst-\(i)")
                results.add(r?.status ?? 0, r?.object["id"] as? Int ?? 0)
            }
            #expect(results.statuses.allSatisfy { $0 == 201 })
            #expect(Set(results.ids).count == 160)
            var all: [Int] = []
            var cursor = 0
            while true {
                let page = try h.messages(users[0], room, "?after=\(cursor)&limit=100")
                all += page.ids
                guard page.hasMore else { break }
                cursor = page.ids.last!
            }
            #expect(Set(all) == Set(results.ids))
            let published = try spy.drain(quiet: 0.5).filter { $0.channel == "room:\(room)" }
            #expect(published.count == 160)
        }
    }
}

/// Collects results from concurrent requests.
final class ResultBox: @unchecked Sendable {
    // @unchecked Sendable: every access holds `lock`.
    private let lock = NSLock()
    private(set) var statuses: [Int] = []
    private(set) var ids: [Int] = []
    func add(_ status: Int, _ id: Int) {
        lock.lock()
        statuses.append(status)
        ids.append(id)
        lock.unlock()
    }
}
