import Foundation
import SQLite
import Testing

@testable import room_svc

/// History, the room list and catch-up each read through indexes: a bounded number of statements
/// whose cost follows the page (or the unread tail), never the size of the room.
@Suite(.timeLimit(.minutes(1))) struct QueryPlanTests {
    private func plan(_ h: RoomHarness, _ sql: String, _ bindings: [(any SQLBindable)?]) throws -> [String] {
        try h.users.read { conn in
            try conn.query("EXPLAIN QUERY PLAN " + sql, bindings: bindings).map { $0.string("detail") }
        }
    }

    @Test func historyAndCatchUpSearchTheRoomIndex() throws {
        try RoomHarness.with { h in
            let page = MessageView.select + " WHERE m.room_id = ? AND m.id > ? AND m.id < ? ORDER BY m.id DESC LIMIT ?"
            let steps = try plan(h, page, [1, 0, 100, 51])
            #expect(steps.contains { $0.contains("SEARCH m USING INDEX messages_room (room_id=? AND id>? AND id<?)") }, "\(steps)")
            #expect(!steps.contains { $0.contains("SCAN") || $0.contains("TEMP B-TREE") }, "\(steps)")

            let after = MessageView.select + " WHERE m.room_id = ? AND m.id > ? ORDER BY m.id ASC LIMIT ?"
            let afterSteps = try plan(h, after, [1, 0, 51])
            #expect(afterSteps.contains { $0.contains("SEARCH m USING INDEX messages_room (room_id=? AND id>?)") }, "\(afterSteps)")
            #expect(!afterSteps.contains { $0.contains("SCAN") || $0.contains("TEMP B-TREE") }, "\(afterSteps)")
        }
    }

    @Test func roomListUsesIndexesAndCountsUnreadOnACoveringIndex() throws {
        try RoomHarness.with { h in
            let steps = try plan(h, RoomView.select(oneRoom: false), [1])
            #expect(steps.contains { $0.contains("SEARCH ms USING INDEX memberships_user (user_id=?)") }, "\(steps)")
            #expect(steps.contains { $0.contains("SEARCH x USING COVERING INDEX messages_room (room_id=? AND id>?)") }, "\(steps)")
            #expect(steps.contains { $0.contains("SEARCH r USING INTEGER PRIMARY KEY") }, "\(steps)")
            #expect(steps.contains { $0.contains("SEARCH lm USING INTEGER PRIMARY KEY") }, "\(steps)")
            #expect(!steps.contains { $0.hasPrefix("SCAN") }, "\(steps)")
        }
    }

    @Test func mediaAuthorisationSearchesIndexes() throws {
        try RoomHarness.with { h in
            let steps = try plan(h, "SELECT 1 FROM messages m JOIN memberships ms ON ms.room_id = m.room_id AND ms.user_id = ?2 WHERE m.media = ?1",
                                 ["x.png", 1])
            #expect(steps.contains { $0.contains("messages_media") }, "\(steps)")
            #expect(try plan(h, "SELECT 1 FROM rooms WHERE picture = ?", ["x"]).contains { $0.contains("rooms_picture") })
        }
    }
}
