import Runtime
import Testing

@testable import relay_svc

@Suite struct RelayConfigTests {
    @Test func defaultsFollowTheContract() throws {
        let c = try RelayConfig(environment: [:])
        #expect(c.listen.description == "127.0.0.1:8083")
        #expect(c.roomService.description == "127.0.0.1:8082")
        #expect(c.publicOrigin == "http://127.0.0.1:8080")
        #expect(c.pingInterval == 30 && c.idleTimeout == 75 && c.presenceTTL == 60 && c.offlineDebounce == 5)
        #expect(c.batchWindow == 0.02 && c.listenUnix == nil)
        #expect(try RelayConfig(environment: ["BATCH_MS": "0"]).batchWindow == 0)
        #expect(!c.instance.isEmpty && !c.instance.contains(":"))
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
