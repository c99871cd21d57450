import Foundation
import Redis
import Runtime
import Testing

@testable import room_svc

@Suite struct RoomConfigTests {
    @Test func defaultsFollowTheTeamConventions() throws {
        let c = try RoomConfig(environment: [:])
        #expect(c.listen == HostPort(host: "127.0.0.1", port: 8082))
        #expect(c.dataDir == "./var")
        #expect(c.redis == RedisURL(host: "127.0.0.1", port: 6379))
        #expect(c.sendRatePer10s == 30)
        #expect(c.databasePath == "./var/chat.db")
    }

    @Test func listenUnixIsAnAbsolutePathShortEnoughForASocket() throws {
        #expect(try RoomConfig(environment: [:]).listenUnix == nil)
        #expect(try RoomConfig(environment: ["LISTEN_UNIX": "/run/chat/room.sock"]).listenUnix == "/run/chat/room.sock")
        for bad in ["room.sock", "/" + String(repeating: "x", count: 107)] {
            #expect { try RoomConfig(environment: ["LISTEN_UNIX": bad]) } throws: {
                ($0 as? ConfigError)?.problems == ["LISTEN_UNIX must be an absolute path of at most 107 bytes, got \"\(bad)\""]
            }
        }
    }

    @Test func reportsEveryProblemAtOnce() {
        do {
            _ = try RoomConfig(environment: ["LISTEN": "nonsense", "REDIS_URL": "http://x", "SEND_RATE_PER_10S": "0",
                                             "LOG_LEVEL": "loud"])
            Issue.record("bad config accepted")
        } catch let error as ConfigError {
            #expect(error.problems.count == 4)
            #expect(error.problems.contains { $0.contains("REDIS_URL") })
            #expect(error.problems.contains { $0.contains("SEND_RATE_PER_10S") })
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}

@Suite struct ImageInfoTests {
    @Test func sniffsTheFourAcceptedTypesWithTheirSize() {
        #expect(ImageInfo.sniff(ImageFixture.png(width: 7, height: 9)) == ImageInfo(mime: "image/png", fileExtension: "png", width: 7, height: 9))
        #expect(ImageInfo.sniff(ImageFixture.gif(width: 3, height: 2)) == ImageInfo(mime: "image/gif", fileExtension: "gif", width: 3, height: 2))
        #expect(ImageInfo.sniff(ImageFixture.jpeg(width: 640, height: 480))
            == ImageInfo(mime: "image/jpeg", fileExtension: "jpg", width: 640, height: 480))
        #expect(ImageInfo.sniff(ImageFixture.webpVP8X(width: 300, height: 200))
            == ImageInfo(mime: "image/webp", fileExtension: "webp", width: 300, height: 200))
    }

    @Test func rejectsEverythingElse() {
        #expect(ImageInfo.sniff([]) == nil)
        #expect(ImageInfo.sniff(Array("<svg xmlns='http://www.w3.org/2000/svg'/>".utf8)) == nil)
        #expect(ImageInfo.sniff(Array("RIFF\u{0}\u{0}\u{0}\u{0}WAVE".utf8)) == nil)
        #expect(ImageInfo.sniff([0x89, 0x50, 0x4E]) == nil)
    }

    @Test func truncatedHeadersStillSniffWithoutSize() {
        let png = Array(ImageFixture.png().prefix(10))
        #expect(ImageInfo.sniff(png)?.mime == "image/png")
        #expect(ImageInfo.sniff(png)?.width == nil)
        #expect(ImageInfo.sniff([0xFF, 0xD8, 0xFF, 0xE0, 0x00])?.width == nil)
    }

    @Test func mediaNamesAreHashAndKnownExtension() {
        let hash = String(repeating: "ab", count: 32)
        #expect(MediaStore.isValidName(hash + ".png"))
        #expect(MediaStore.isValidName(hash + ".webp"))
        #expect(!MediaStore.isValidName(hash + ".svg"))
        #expect(!MediaStore.isValidName(hash.uppercased() + ".png"))
        #expect(!MediaStore.isValidName("../" + hash + ".png"))
        #expect(!MediaStore.isValidName(hash + ".png.png"))
    }
}

@Suite struct SendRateLimiterTests {
    final class FakeClock: @unchecked Sendable {
        // @unchecked Sendable: the tests touch it from one thread only.
        var now: UInt64 = 1_000_000_000
    }

    @Test func allowsABurstThenRefillsEvenly() {
        let clock = FakeClock()
        let limiter = SendRateLimiter(perWindow: 5, window: 10) { clock.now }
        for _ in 0..<5 { #expect(limiter.take(user: 1) == nil) }
        #expect(limiter.take(user: 1) == 2)  // one token per 2 s
        #expect(limiter.take(user: 2) == nil)  // per user
        clock.now += 2_000_000_000
        #expect(limiter.take(user: 1) == nil)
        #expect(limiter.take(user: 1) != nil)
    }
}
