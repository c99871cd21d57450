import Foundation
import Testing

@testable import room_svc

@Suite(.timeLimit(.minutes(1))) struct MediaTests {
    @Test func imageMessagesAreSniffedStoredByHashAndSizeLimited() throws {
        try RoomHarness.with { h in
            let ada = try h.makeUser("ada")
            let room = try h.createGroup(ada)
            let png = ImageFixture.png(width: 4, height: 3)
            // The declared type is ignored: the bytes decide.
            let r = try h.call(ada, "POST", "/api/rooms/\(room)/images?client_id=img-1", body: png, headers: [("Content-Type", "image/gif")])
            #expect(r.status == 201)
            #expect(r.object["kind"] as? String == "image")
            #expect(r.object["body"] as? String == "")
            #expect(r.object["client_id"] as? String == "img-1")
            let url = try #require(r.object["image_url"] as? String)
            let file = String(url.dropFirst("/media/".count))
            #expect(MediaStore.isValidName(file) && file.hasSuffix(".png"))
            let onDisk = try #require(FileManager.default.contents(atPath: h.dir.path + "/media/" + file))
            #expect(Array(onDisk) == png)

            let retry = try h.call(ada, "POST", "/api/rooms/\(room)/images?client_id=img-1", body: png)
            #expect(retry.status == 200)
            #expect(retry.object["id"] as? Int == r.object["id"] as? Int)

            let meta = try h.users.read { conn in try conn.queryOne("SELECT mime, size, width, height FROM media WHERE file = ?", file) }
            #expect(meta?.string("mime") == "image/png")
            #expect(meta?.int("size") == png.count)
            #expect(meta?.optionalInt("width") == 4 && meta?.optionalInt("height") == 3)

            #expect(try h.call(ada, "POST", "/api/rooms/\(room)/images", body: Array("<svg/>".utf8), headers: [("Content-Type", "image/png")]).status == 415)
            #expect(try h.call(ada, "POST", "/api/rooms/\(room)/images", body: []).status == 415)
            let tooBig = ImageFixture.jpeg() + [UInt8](repeating: 7, count: 5 * 1024 * 1024)
            let big = try h.call(ada, "POST", "/api/rooms/\(room)/images", body: tooBig)
            #expect(big.status == 413)
            let fits = ImageFixture.jpeg() + [UInt8](repeating: 7, count: 5 * 1024 * 1024 - ImageFixture.jpeg().count)
            #expect(try h.call(ada, "POST", "/api/rooms/\(room)/images", body: fits).status == 201)
            #expect(try h.messages(ada, room).ids.count == 2)
        }
    }

    @Test func mediaIsAuthorisedForMembersAvatarsAndPicturesOnly() throws {
        try RoomHarness.with { h in
            let avatar = String(repeating: "d", count: 64) + ".jpg"
            let ada = try h.makeUser("ada", avatar: avatar)
            try h.makeUser("bob")
            let eve = try h.makeUser("eve")
            let room = try h.createGroup(ada, members: ["bob"])
            let image = try h.call(ada, "POST", "/api/rooms/\(room)/images", body: ImageFixture.png(salt: "room"))
            let imageFile = String((image.object["image_url"] as? String ?? "").dropFirst("/media/".count))
            let picture = try h.call(ada, "PUT", "/api/rooms/\(room)/picture", body: ImageFixture.gif())
            let pictureFile = String((picture.object["picture_url"] as? String ?? "").dropFirst("/media/".count))

            let allowed = try h.call(ada, "GET", "/media/" + imageFile)
            #expect(allowed.status == 200)
            #expect(allowed.headers["X-Accel-Redirect"] == "/_protected_media/" + imageFile)
            #expect(allowed.body.isEmpty)
            #expect(try h.call(eve, "GET", "/media/" + imageFile).status == 404)
            #expect(try h.call(eve, "GET", "/media/" + pictureFile).status == 200)
            #expect(try h.call(eve, "GET", "/media/" + avatar).status == 200)
            #expect(try h.call(eve, "GET", "/media/" + avatar).headers["X-Accel-Redirect"] == "/_protected_media/" + avatar)
            #expect(try h.call(ada, "GET", "/media/" + String(repeating: "e", count: 64) + ".png").status == 404)
            #expect(try h.call(ada, "GET", "/media/..%2Fchat.db").status == 404)
            #expect(try h.call(ada, "GET", "/media/" + imageFile.uppercased()).status == 404)
            #expect(try h.call(ada, "GET", "/media/" + imageFile).headers["X-Accel-Redirect"] != nil)
        }
    }
}
