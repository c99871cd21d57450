import Redis
import Testing

struct RedisURLTests {
    @Test func parsesHostPortAndDatabase() {
        #expect(RedisURL(parsing: "redis://127.0.0.1:6379") == RedisURL(host: "127.0.0.1", port: 6379))
        #expect(RedisURL(parsing: "redis://redis") == RedisURL(host: "redis", port: 6379))
        #expect(RedisURL(parsing: "redis://cache.local:7000/2") == RedisURL(host: "cache.local", port: 7000, database: 2))
        #expect(RedisURL(parsing: "redis://[::1]:6380/") == RedisURL(host: "::1", port: 6380))
        #expect(RedisURL(parsing: "REDIS://h:1") == RedisURL(host: "h", port: 1))
    }

    @Test(arguments: ["", "http://h:1", "redis://", "redis://h:0", "redis://h:99999", "redis://h:x", "redis://u:p@h:1", "redis://h:1/x", "redis://:6379"])
    func rejectsMalformedURLs(_ text: String) {
        #expect(RedisURL(parsing: text) == nil)
    }
}
