import Foundation

/// One message as the test SMTP server received it.
public struct ReceivedMail: Sendable {
    public var mailFrom: String
    public var recipients: [String]
    /// The DATA exactly as received (dot-unstuffed), CRLF line endings.
    public var data: [UInt8]
    public var text: String { String(decoding: data, as: UTF8.self) }

    /// The header block (unfolded), keyed case-insensitively by lowercased name.
    public var headers: [String: String] {
        let head = text.components(separatedBy: "\r\n\r\n").first ?? ""
        var result: [String: String] = [:]
        var last: String?
        for line in head.components(separatedBy: "\r\n") {
            if line.hasPrefix(" ") || line.hasPrefix("\t"), let key = last {
                result[key, default: ""] += " " + line.trimmingCharacters(in: .whitespaces)
            } else if let colon = line.firstIndex(of: ":") {
                let key = line[..<colon].lowercased()
                result[key] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                last = key
            }
        }
        return result
    }
}

/// A real SMTP server (python aiosmtpd) on a free loopback port that stores every message it
/// accepts in a folder. `stop()` and `start()` again keep the same port and the stored messages.
///
///     let smtp = try SMTPServer.start()
///     defer { smtp.stop() }
///     … send to "smtp://127.0.0.1:\(smtp.port)" …
///     let mails = smtp.waitForMessages(count: 1)
public final class SMTPServer: Sendable {
    public let port: UInt16
    public let directory: String
    private let process: ServerProcess

    /// Starts the server. `rejectWith` (e.g. 451 or 550) makes it refuse every message after DATA.
    public static func start(rejectWith code: Int? = nil) throws -> SMTPServer {
        guard let python = findPython() else {
            throw TestServerError("python3 with aiosmtpd not found: install it with `pip install aiosmtpd`")
        }
        let server = SMTPServer(python: python, rejectWith: code)
        try server.start()
        return server
    }

    private init(python: String, rejectWith code: Int?) {
        port = ServerProcess.freeLoopbackPort()
        directory = ServerProcess.makeTempDirectory("smtp-test")
        let script = directory + "/smtp_sink.py"
        try? SMTPServer.script.write(toFile: script, atomically: true, encoding: .utf8)
        try? FileManager.default.createDirectory(atPath: directory + "/messages", withIntermediateDirectories: true)
        var args = ["-u", script, "--port", "\(port)", "--dir", directory + "/messages"]
        if let code { args += ["--reject", "\(code)"] }
        process = ServerProcess(executable: python, arguments: args, logPath: directory + "/smtp.log")
    }

    deinit {
        process.kill()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Starts (again) on the same port; waits for the 220 greeting.
    public func start() throws {
        guard !process.isRunning else { return }
        try process.launch()
        let up = ServerProcess.waitUntil(timeout: 15) {
            ServerProcess.probe(port: port)?.starts(with: Array("220".utf8)) ?? false
        }
        if !up {
            process.kill()
            throw TestServerError("aiosmtpd did not greet on port \(port): \(process.logText)")
        }
    }

    public func stop() { process.stop() }

    /// SIGSTOP: connections are accepted by the kernel but never answered (for timeout tests).
    public func pause() { process.signal(SIGSTOP, wait: false) }

    /// SIGCONT after `pause()`.
    public func resume() { process.signal(SIGCONT, wait: false) }
    public var isRunning: Bool { process.isRunning }

    /// Every stored message, oldest first.
    public func messages() -> [ReceivedMail] {
        let dir = directory + "/messages"
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
        return names.compactMap { name in
            guard let json = FileManager.default.contents(atPath: dir + "/" + name),
                let object = try? JSONSerialization.jsonObject(with: json) as? [String: Any],
                let raw = FileManager.default.contents(atPath: dir + "/" + name.dropLast(5) + ".eml")
            else { return nil }
            return ReceivedMail(
                mailFrom: object["mail_from"] as? String ?? "", recipients: object["rcpt_tos"] as? [String] ?? [],
                data: Array(raw))
        }
    }

    /// Waits up to `timeout` seconds until at least `count` messages are stored, and returns them all.
    public func waitForMessages(count: Int, timeout: Double = 20) -> [ReceivedMail] {
        _ = ServerProcess.waitUntil(timeout: timeout) { messages().count >= count }
        return messages()
    }

    /// Found once per test process.
    private static let python: String? = {
        var candidates: [String] = []
        if let configured = ProcessInfo.processInfo.environment["PYTHON"] { candidates.append(configured) }
        for name in ["python3", "python"] { if let p = ServerProcess.findExecutable(name) { candidates.append(p) } }
        candidates.append("/usr/bin/python3")
        return candidates.first { canImportAiosmtpd($0) }
    }()

    private static func findPython() -> String? { python }

    private static func canImportAiosmtpd(_ python: String) -> Bool {
        let probe = ServerProcess(executable: python, arguments: ["-c", "import aiosmtpd"], logPath: "/dev/null")
        guard (try? probe.launch()) != nil else { return false }
        probe.waitForExit(timeout: 30)
        return probe.exitStatus == 0
    }

    /// Writes `<n>.eml` (raw DATA) and `<n>.json` (envelope) per message; the .json is renamed into
    /// place last, so a reader never sees half a message.
    static let script = #"""
        import argparse, asyncio, json, os, signal, time
        from aiosmtpd.controller import Controller

        parser = argparse.ArgumentParser()
        parser.add_argument("--port", type=int, required=True)
        parser.add_argument("--dir", required=True)
        parser.add_argument("--reject", type=int, default=0)
        args = parser.parse_args()

        class Store:
            def __init__(self):
                self.count = len([n for n in os.listdir(args.dir) if n.endswith(".json")])

            async def handle_DATA(self, server, session, envelope):
                if args.reject:
                    return "%d Rejected by test server" % args.reject
                self.count += 1
                base = os.path.join(args.dir, "%06d" % self.count)
                data = envelope.original_content or envelope.content
                with open(base + ".eml", "wb") as f:
                    f.write(data)
                meta = {"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos, "received": time.time()}
                with open(base + ".tmp", "w") as f:
                    json.dump(meta, f)
                os.rename(base + ".tmp", base + ".json")
                print("stored", base, flush=True)
                return "250 Message accepted for delivery"

        controller = Controller(Store(), hostname="127.0.0.1", port=args.port)
        controller.start()
        print("listening", args.port, flush=True)
        done = False
        def stop(*_):
            global done
            done = True
        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        while not done:
            time.sleep(0.1)
        controller.stop()
        """#
}
