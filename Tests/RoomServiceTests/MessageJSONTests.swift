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

    @Test func timesMatchRFC3339() {
        var times: [Int64] = [0, 1, 999, 1000, -1, -1000, -1001, 951_782_400_000 - 1, 951_782_400_000,  // 2000-02-29
                              4_107_542_399_999, 253_402_300_799_999, 1_795_000_000_123]
        var x: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<5000 {  // a fixed pseudo-random sweep over 1900…2200
            x = x &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            times.append(Int64(x % 9_467_280_000_000) - 2_208_988_800_000)
        }
        for ms in times {
            var out: [UInt8] = []
            MessageView.appendRFC3339(UTCTime(milliseconds: ms), to: &out)
            #expect(String(decoding: out, as: UTF8.self) == UTCTime(milliseconds: ms).rfc3339, "ms \(ms)")
        }
    }
}
