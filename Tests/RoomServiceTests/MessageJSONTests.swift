import Foundation
import Runtime
import Testing

@testable import room_svc

/// MessageView writes its JSON as bytes; it must stay identical to the field-by-field JSONWriter form
/// (with `UserView.json()` as the author) that the rest of the service uses.
@Suite struct MessageJSONTests {
    static func viaWriter(_ m: MessageView) -> String {
        var w = JSONWriter()
        w.int("id", m.id)
        w.int("room_id", m.roomID)
        w.raw("author", m.author.json())
        w.string("kind", m.kind)
        w.string("body", m.body)
        w.string("image_url", m.imageURL)
        w.string("created_at", m.createdAt.rfc3339)
        w.string("client_id", m.clientID)
        return w.finish()
    }

    static let awkward = [
        "", "plain", "quote \" and backslash \\ and slash /", "lines\nand\r\ttabs", "\u{0}\u{1}\u{1f}\u{7f}",
        "é ü 中文 🙂 \u{2028}", "\"\"\\\\", "ends with \\",
    ]

    @Test func bytesMatchTheWriterForAwkwardText() throws {
        for (i, text) in Self.awkward.enumerated() {
            let author = UserView(id: 7, username: "ada\(i)", displayName: text, bio: text, avatar: i % 2 == 0 ? nil : "x\(text).png")
            let message = MessageView(id: 1_000_000 + i, roomID: 3, author: author, kind: i % 2 == 0 ? "text" : "image",
                                      body: text, media: i % 2 == 0 ? nil : "f\(i).png",
                                      createdAt: UTCTime(milliseconds: 1_795_000_000_123 + Int64(i)),
                                      clientID: i % 3 == 0 ? nil : text)
            #expect(message.json == Self.viaWriter(message))
            let parsed = try #require(JSONSerialization.jsonObject(with: Data(message.jsonBytes)) as? [String: Any])
            #expect(parsed["body"] as? String == text)
            #expect((parsed["author"] as? [String: Any])?["display_name"] as? String == text)
        }
    }
}
