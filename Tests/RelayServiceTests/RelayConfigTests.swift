import HTTP
import Runtime
import Testing

@testable import relay_svc

@Suite struct RelayConfigTests {
    @Test func defaultsFollowTheContract() throws {
        let c = try RelayConfig(environment: [:])
        #expect(c.listen?.description == "127.0.0.1:8083")
        #expect(c.roomService == .tcp(HostPort(host: "127.0.0.1", port: 8082)))
        #expect(c.publicOrigin == "http://127.0.0.1:8080")
        #expect(c.pingInterval == 30 && c.idleTimeout == 75 && c.presenceTTL == 60 && c.offlineDebounce == 5)
        #expect(c.batchWindow == 0.02 && c.listenUnix == nil)
        #expect(try RelayConfig(environment: ["BATCH_MS": "0"]).batchWindow == 0)
        #expect(!c.instance.isEmpty && !c.instance.contains(":"))
    }

    @Test func theUnixSocketCanBeTheOnlyListenerAndRoomSvcCanBeReachedOnOne() throws {
        let c = try RelayConfig(environment: ["LISTEN": "off", "LISTEN_UNIX": "/run/chat/relay.sock",
                                              "ROOM_SVC_URL": "unix:/run/chat/room.sock"])
        #expect(c.listen == nil && c.listenUnix == "/run/chat/relay.sock")
        #expect(c.roomService == .unix("/run/chat/room.sock"))
        for bad in [["LISTEN": "off"], ["ROOM_SVC_URL": "unix:relative.sock"], ["ROOM_SVC_URL": "unix:/" + String(repeating: "x", count: 120)]] {
            #expect(throws: ConfigError.self) { try RelayConfig(environment: bad) }
        }
    }

    @Test func everyProblemIsListedAtOnce() {
        let bad = ["REDIS_URL": "http://x", "ROOM_SVC_URL": "ftp://x", "PUBLIC_URL": "nope", "RELAY_INSTANCE": "a:b",
                   "PRESENCE_TTL": "1", "PING_INTERVAL": "x"]
        #expect {
            _ = try RelayConfig(environment: bad)
        } throws: { error in
            guard let problems = (error as? ConfigError)?.problems else { return false }
            return problems.count == bad.count
        }
    }
}
