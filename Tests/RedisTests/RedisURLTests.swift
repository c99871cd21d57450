import Redis
import Runtime
import Testing
import TestSupport

struct RedisURLTests {
    @Test func parsesHostPortAndDatabase() {
        #expect(RedisURL(parsing: "redis://127.0.0.1:6379") == RedisURL(host: "127.0.0.1", port: 6379))
        #expect(RedisURL(parsing: "redis://redis") == RedisURL(host: "redis", port: 6379))
        #expect(RedisURL(parsing: "redis://cache.local:7000/2") == RedisURL(host: "cache.local", port: 7000, database: 2))
        #expect(RedisURL(parsing: "redis://[::1]:6380/") == RedisURL(host: "::1", port: 6380))
        #expect(RedisURL(parsing: "REDIS://h:1") == RedisURL(host: "h", port: 1))
    }

    @Test func parsesAPasswordAndAnACLUser() {
        #expect(RedisURL(parsing: "redis://:s3cret@h:1/2")
            == RedisURL(host: "h", port: 1, database: 2, credentials: RedisCredentials(password: "s3cret")))
        #expect(RedisURL(parsing: "redis://chat:s3cret@h")
            == RedisURL(host: "h", credentials: RedisCredentials(username: "chat", password: "s3cret")))
        // Escapes are decoded; an unescaped @ in the password still splits at the last one.
        #expect(RedisURL(parsing: "redis://:p%40ss%3Aw%2Fd@h")?.credentials == RedisCredentials(password: "p@ss:w/d"))
        #expect(RedisURL(parsing: "redis://:p@ss@[::1]:7")
            == RedisURL(host: "::1", port: 7, credentials: RedisCredentials(password: "p@ss")))
    }

    @Test(arguments: [
        "", "http://h:1", "redis://", "redis://h:0", "redis://h:99999", "redis://h:x", "redis://h:1/x", "redis://:6379",
        "redis://secret@h", "redis://user:@h", "redis://:@h", "redis://:%zz@h", "redis://:%FF@h", "redis://:pw@",
    ])
    func rejectsMalformedURLs(_ text: String) {
        #expect(RedisURL(parsing: text) == nil)
    }

    @Test func neitherTheDescriptionNorAConfigProblemShowsThePassword() throws {
        let url = try #require(RedisURL(parsing: "redis://chat:hunter2@cache:6380/1"))
        #expect(url.description == "redis://chat:***@cache:6380/1")
        #expect(try #require(RedisURL(parsing: "redis://:hunter2@cache")).description == "redis://:***@cache:6379/0")

        var env = Environment(["REDIS_URL": "redis://chat:hunter2@cache:port"])
        _ = env.redisURL()
        let problems = env.problems.joined()
        #expect(problems.contains("redis://***@cache:port"))
        #expect(!problems.contains("hunter2"))
    }

    @Test func thePasswordCanComeFromAFile() throws {
        let dir = TempDir()
        let file = dir.file("redis-password")
        try FileIO.writeDurably(Array("s3cret\n".utf8), to: file, mode: 0o400)

        var env = Environment(["REDIS_URL": "redis://cache:6380/1", "REDIS_PASSWORD_FILE": file])
        #expect(env.redisURL() == RedisURL(host: "cache", port: 6380, database: 1, credentials: RedisCredentials(password: "s3cret")))
        #expect(env.problems.isEmpty)

        env = Environment(["REDIS_URL": "redis://:other@cache", "REDIS_PASSWORD_FILE": file])
        _ = env.redisURL()
        #expect(env.problems.count == 1 && env.problems[0].contains("both set"))
        #expect(!env.problems[0].contains("other") && !env.problems[0].contains("s3cret"))

        try FileIO.writeDurably(Array("\nsecond line".utf8), to: file, mode: 0o400)
        for missing in [dir.file("nothing-here"), file] {
            env = Environment(["REDIS_PASSWORD_FILE": missing])
            _ = env.redisURL()
            #expect(env.problems.count == 1 && env.problems[0].contains("REDIS_PASSWORD_FILE"), "\(missing)")
        }
    }
}
