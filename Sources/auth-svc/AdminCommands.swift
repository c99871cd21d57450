import Crypto
import Dispatch
import Glibc
import HTTP
import Runtime
import SQLite

/// Subcommands of the auth-svc executable. They share configuration (and so the database) with
/// the server. Passwords never come from argv, where shell history and `ps` would keep them.
enum AdminCommands {
    static let usage = """
        usage: auth-svc                      run the server
               auth-svc create-user [--admin] --username U --email E [--display-name N] [--password-stdin]
               auth-svc bench-users --count N --prefix P [--password-iterations K]
               auth-svc backup --to FILE        a consistent copy of the database, while the app runs
        """

    /// Runs one subcommand and returns the process exit status.
    static func run(_ command: String, _ arguments: [String], config: AuthConfig, log: Log,
                    input: Int32 = STDIN_FILENO, output: (String) -> Void = { print($0) }) -> Int32 {
        do {
            var options = try Options(arguments)
            switch command {
            case "create-user":
                let service = try AuthService(config: config, log: log)
                defer { service.close() }
                return try createUser(&options, service: service, input: input, output: output)
            case "bench-users":
                var config = config
                if let iterations = try options.int("--password-iterations", in: 1...PasswordHasher.maxIterations) {
                    config.passwordIterations = iterations
                }
                let service = try AuthService(config: config, log: log)
                defer { service.close() }
                return try benchUsers(&options, service: service, output: output)
            case "backup":
                return try backup(&options, config: config, output: output)
            case "help", "--help", "-h":
                output(usage)
                return 0
            default:
                FileIO.printError("unknown command \(command)\n\(usage)\n")
                return 64
            }
        } catch let error as UsageError {
            FileIO.printError("\(error.message)\n\(usage)\n")
            return 64  // EX_USAGE
        } catch {
            FileIO.printError("\(command) failed: \(error)\n")
            return 1
        }
    }

    struct UsageError: Error { var message: String }

    /// `--name value` and `--flag` options.
    struct Options {
        var values: [String: String] = [:]
        var flags: Set<String> = []
        static let flagNames: Set<String> = ["--admin", "--password-stdin"]

        init(_ arguments: [String]) throws {
            var i = 0
            while i < arguments.count {
                let arg = arguments[i]
                if Self.flagNames.contains(arg) {
                    flags.insert(arg)
                } else if arg.hasPrefix("--"), i + 1 < arguments.count {
                    if arg == "--password" { throw UsageError(message: "passwords are read from stdin, never from arguments") }
                    values[arg] = arguments[i + 1]
                    i += 1
                } else {
                    throw UsageError(message: "unexpected argument \(arg)")
                }
                i += 1
            }
        }

        func required(_ name: String) throws -> String {
            guard let v = values[name], !v.isEmpty else { throw UsageError(message: "\(name) is required") }
            return v
        }

        func int(_ name: String, in range: ClosedRange<Int>) throws -> Int? {
            guard let raw = values[name] else { return nil }
            guard let v = Int(raw), range.contains(v) else {
                throw UsageError(message: "\(name) must be a number from \(range.lowerBound) to \(range.upperBound)")
            }
            return v
        }
    }

    static func createUser(_ options: inout Options, service: AuthService, input: Int32, output: (String) -> Void) throws -> Int32 {
        let username = try options.required("--username")
        let email = try options.required("--email")
        let displayName = options.values["--display-name"] ?? username
        var problems: [String] = []
        if let p = Validation.usernameProblem(username) { problems.append("username: \(p)") }
        if let p = Validation.emailProblem(email) { problems.append("email: \(p)") }
        if let p = Validation.displayNameProblem(displayName) { problems.append("display name: \(p)") }
        guard problems.isEmpty else { throw UsageError(message: problems.joined(separator: "\n")) }
        let password = try readPassword(fromStdin: options.flags.contains("--password-stdin"), input: input)
        let weak = service.policy.problems(password: password, username: username, email: email)
        guard weak.isEmpty else { throw UsageError(message: "password: " + weak.joined(separator: " ")) }
        do {
            try service.ensureAvailable(username: username, email: email)
        } catch let error as HTTPError {
            throw UsageError(message: error.message)
        }
        let hash = service.hasher.hash(password)
        let isAdmin = options.flags.contains("--admin")
        let id = try service.db.write { conn in
            try conn.execute(
                """
                INSERT INTO users (username, username_lower, email, email_lower, display_name, bio, avatar,
                                   password_hash, is_admin, is_active, created_at)
                VALUES (?, ?, ?, ?, ?, '', NULL, ?, ?, 1, ?)
                """, username, username.lowercased(), email, email.lowercased(), displayName, hash, isAdmin, service.now())
            return conn.lastInsertRowID
        }
        service.log.info("user created", ["user.id": "\(id)", "user.admin": "\(isAdmin)"])
        output("created user \(id) \(username)\(isAdmin ? " (admin)" : "")")
        return 0
    }

    /// Reads the password: from the terminal without echo (asked twice), or the first line of stdin.
    static func readPassword(fromStdin: Bool, input fd: Int32) throws -> String {
        if !fromStdin && isatty(fd) == 1 {
            let first = try promptHidden("Password: ", fd: fd)
            let second = try promptHidden("Password (again): ", fd: fd)
            guard first == second else { throw UsageError(message: "the passwords do not match") }
            return first
        }
        guard let password = FileIO.firstLine(fd) else { throw UsageError(message: "the password is not UTF-8") }
        guard !password.isEmpty else { throw UsageError(message: "no password on stdin") }
        return password
    }

    private static func promptHidden(_ prompt: String, fd: Int32) throws -> String {
        FileIO.printError(prompt)
        var saved = termios()
        tcgetattr(fd, &saved)
        var quiet = saved
        quiet.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(fd, TCSAFLUSH, &quiet)
        defer {
            tcsetattr(fd, TCSAFLUSH, &saved)
            FileIO.printError("\n")
        }
        var bytes: [UInt8] = []
        var c: UInt8 = 0
        while read(fd, &c, 1) == 1 && c != 0x0A { bytes.append(c) }
        if bytes.last == 0x0D { bytes.removeLast() }
        guard let text = String(validating: bytes, as: UTF8.self), !text.isEmpty else { throw UsageError(message: "no password given") }
        return text
    }

    /// Copies `DATA_DIR/chat.db` (every service's tables) to `--to` as one snapshot; the app may run
    /// meanwhile. Media files are immutable and named by their hash: a plain copy of the folder is safe.
    static func backup(_ options: inout Options, config: AuthConfig, output: (String) -> Void) throws -> Int32 {
        let target = try options.required("--to")
        guard access(config.databasePath, F_OK) == 0 else {
            throw UsageError(message: "no database at \(config.databasePath): is DATA_DIR right?")
        }
        let db = try Database(path: config.databasePath, readers: 1)
        defer { db.close() }
        let bytes = try db.backup(to: target)
        output("backed up \(config.databasePath) to \(target) (\(bytes) bytes); copy \(config.dataDir)/media as well")
        return 0
    }

    /// Creates `count` users `<prefix>1…` with random passwords (hashed in parallel with the configured
    /// or overridden iteration count), all in one transaction, and prints one `session=<token>` per user.
    static func benchUsers(_ options: inout Options, service: AuthService, output: (String) -> Void) throws -> Int32 {
        guard let count = try options.int("--count", in: 1...1_000_000) else { throw UsageError(message: "--count is required") }
        let prefix = try options.required("--prefix")
        let names = (1...count).map { "\(prefix)\($0)" }
        if let bad = names.first(where: { Validation.usernameProblem($0) != nil }) {
            throw UsageError(message: "username \(bad): \(Validation.usernameRule)")
        }
        let hashes = Hashes(count: count)
        let hasher = service.hasher
        DispatchQueue.concurrentPerform(iterations: count) { i in
            hashes.set(i, hasher.hash(SecureRandom.token(bytes: 16)))
        }
        let now = service.now()
        let tokens = try service.db.write { conn in
            try names.enumerated().map { i, name in
                try conn.execute(
                    """
                    INSERT INTO users (username, username_lower, email, email_lower, display_name, bio, avatar,
                                       password_hash, is_admin, is_active, created_at)
                    VALUES (?, ?, ?, ?, ?, '', NULL, ?, 0, 1, ?)
                    """, name, name.lowercased(), "\(name)@bench.invalid", "\(name)@bench.invalid".lowercased(), name,
                    hashes.get(i), now)
                return try service.createSession(conn, userID: conn.lastInsertRowID, userAgent: "bench-users")
            }
        }
        for token in tokens { output("\(SessionCookie.name)=\(token)") }
        service.log.info("bench users created", ["count": "\(count)", "prefix": prefix])
        return 0
    }

    /// Results of the parallel hashing, one slot per user.
    final class Hashes: @unchecked Sendable {
        // Safe: each index is written by exactly one `concurrentPerform` iteration, under `lock`,
        // and read only after `concurrentPerform` returned.
        private var values: [String]
        private let lock = Condition()
        init(count: Int) { values = Array(repeating: "", count: count) }
        func set(_ i: Int, _ v: String) { lock.withLock { values[i] = v } }
        func get(_ i: Int) -> String { lock.withLock { values[i] } }
    }
}
