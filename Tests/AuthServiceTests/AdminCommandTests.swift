import Foundation
import Runtime
import SQLite
import Testing

@testable import auth_svc

@Suite(.timeLimit(.minutes(1))) struct AdminCommandTests {
    /// The read end of a pipe holding `text` (the test process ends before the descriptor matters).
    func stdin(_ text: String) -> Int32 {
        var fds: [Int32] = [0, 0]
        precondition(pipe(&fds) == 0)
        FileIO.writeAll(fds[1], Array(text.utf8))
        close(fds[1])
        return fds[0]
    }

    @Test func createsAnAdminWithThePasswordFromStdin() throws {
        try Harness.with { h in
            var out: [String] = []
            let status = AdminCommands.run(
                "create-user", ["--admin", "--username", "root", "--email", "root@example.com", "--password-stdin"],
                config: h.config, log: Log(service: "auth-svc", sink: h.sink), input: stdin(Harness.password + "\n"),
                output: { out.append($0) })
            #expect(status == 0)
            #expect(out.count == 1 && out[0].contains("root"))
            #expect(try h.db { try $0.queryOne("SELECT is_admin FROM users WHERE username = 'root'")?.bool("is_admin") } == true)
            _ = try h.login("root")
            // Without --admin the flag stays off; piped stdin works without the flag too.
            #expect(AdminCommands.run("create-user", ["--username", "plain", "--email", "plain@example.com"], config: h.config,
                                      log: Log(service: "auth-svc", sink: h.sink), input: stdin(Harness.password), output: { _ in }) == 0)
            #expect(try h.db { try $0.queryOne("SELECT is_admin FROM users WHERE username = 'plain'")?.bool("is_admin") } == false)
            // A Windows line ending is not part of the password.
            #expect(AdminCommands.run("create-user", ["--username", "crlf", "--email", "crlf@example.com", "--password-stdin"],
                                      config: h.config, log: Log(service: "auth-svc", sink: h.sink),
                                      input: stdin(Harness.password + "\r\n"), output: { _ in }) == 0)
            _ = try h.login("crlf")
        }
    }

    @Test func refusesPasswordsInArgumentsAndBadInput() throws {
        try Harness.with { h in
            let log = Log(service: "auth-svc", sink: h.sink)
            #expect(AdminCommands.run("create-user", ["--username", "root", "--email", "root@example.com", "--password", "secret"],
                                      config: h.config, log: log, input: stdin(""), output: { _ in }) == 64)
            #expect(AdminCommands.run("create-user", ["--username", "root", "--email", "root@example.com", "--password-stdin"],
                                      config: h.config, log: log, input: stdin("12345678\n"), output: { _ in }) == 64)
            #expect(AdminCommands.run("create-user", ["--username", "r", "--email", "root@example.com", "--password-stdin"],
                                      config: h.config, log: log, input: stdin(Harness.password), output: { _ in }) == 64)
            #expect(AdminCommands.run("nonsense", [], config: h.config, log: log, input: stdin(""), output: { _ in }) == 64)
            try h.register("taken")
            #expect(AdminCommands.run("create-user", ["--username", "TAKEN", "--email", "x@example.com", "--password-stdin"],
                                      config: h.config, log: log, input: stdin(Harness.password), output: { _ in }) == 64)
            #expect(try h.db { try $0.queryOne("SELECT count(*) AS n FROM users")!.int("n") } == 1)
        }
    }

    @Test func benchUsersPrintsOneWorkingCookiePerUser() throws {
        try Harness.with { h in
            var out: [String] = []
            let status = AdminCommands.run("bench-users", ["--count", "5", "--prefix", "bench", "--password-iterations", "10"],
                                           config: h.config, log: Log(service: "auth-svc", sink: h.sink), input: stdin(""),
                                           output: { out.append($0) })
            #expect(status == 0)
            #expect(out.count == 5)
            #expect(Set(out).count == 5)
            for (i, line) in out.enumerated() {
                #expect(line.hasPrefix("session="))
                let me = try h.call("GET", "/api/auth/me", cookie: line)
                #expect(me.status == 200)
                #expect(me.json["username"] as? String == "bench\(i + 1)")
            }
            #expect(try h.db { try $0.queryOne("SELECT password_hash FROM users WHERE username = 'bench1'")!.string("password_hash") }
                .hasPrefix("pbkdf2_sha256$10$"))
        }
    }

    @Test func backupCopiesTheLiveDatabaseAndNeverOverwrites() throws {
        try Harness.with { h in
            try h.register("kept")
            let log = Log(service: "auth-svc", sink: h.sink)
            let target = h.config.dataDir + "/backup.db"
            var out: [String] = []
            #expect(AdminCommands.run("backup", ["--to", target], config: h.config, log: log, input: stdin(""),
                                      output: { out.append($0) }) == 0)
            #expect(out.count == 1 && out[0].contains(target) && out[0].contains("/media"))
            let copy = try Database(path: target, readers: 1)
            defer { copy.close() }
            #expect(try copy.read { try $0.queryOne("SELECT username FROM users")?.string("username") } == "kept")

            // A second backup to the same file is refused, and so is one without --to.
            #expect(AdminCommands.run("backup", ["--to", target], config: h.config, log: log, input: stdin(""),
                                      output: { _ in }) == 1)
            #expect(AdminCommands.run("backup", [], config: h.config, log: log, input: stdin(""), output: { _ in }) == 64)
            var elsewhere = h.config
            elsewhere.dataDir = h.config.dataDir + "/nothing-here"
            #expect(AdminCommands.run("backup", ["--to", target + "2"], config: elsewhere, log: log, input: stdin(""),
                                      output: { _ in }) == 64)
        }
    }
}

@Suite(.timeLimit(.minutes(1))) struct SecretsInLogsTests {
    @Test func passwordsTokensAndCookiesNeverReachTheLogs() throws {
        try Harness.with { h in
            let password = "Unique-Passphrase-4711"
            let newPassword = "Another-Passphrase-0815"
            let register = try h.call("POST", "/api/auth/register",
                                      json: ["username": "ada", "email": "ada@example.com", "password": password])
            let registered = try #require(register.sessionCookie)
            _ = try h.call("POST", "/api/auth/login", json: ["username": "ada", "password": "Wrong-Passphrase-1234"])
            let loggedIn = try h.login("ada", password: password)
            _ = try h.call("GET", "/api/auth/me", cookie: loggedIn)
            _ = try h.verify("POST", "/api/rooms/1/messages", cookie: loggedIn, contentType: "application/json")
            let token = try h.requestResetToken("ada@example.com")
            #expect(try h.call("POST", "/api/auth/password-reset/confirm", json: ["token": token, "new_password": newPassword]).status == 204)
            _ = try h.login("ada", password: newPassword)

            let lines = h.sink.captured
            #expect(lines.count > 5)
            let secrets = [password, newPassword, "Wrong-Passphrase-1234", token, registered, loggedIn,
                           String(registered.dropFirst(8)), String(loggedIn.dropFirst(8))]
            for secret in secrets {
                #expect(!lines.contains { $0.contains(secret) }, "a secret appeared in the logs")
            }
        }
    }
}
