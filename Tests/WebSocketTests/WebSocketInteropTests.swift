import Foundation
import HTTP
import Runtime
import Synchronization
import Testing
@testable import WebSocket

/// Runs the interop client script against a server on port 0 and returns its JSON answer.
func runClient(_ scenario: String, service: EchoService = EchoService()) throws -> [String: Any] {
    let server = try Server(router: service.router, config: ServerConfig(listen: HostPort(host: "127.0.0.1", port: 0)),
                            log: Log(service: "test", level: .error))
    try server.start()
    defer {
        server.shutdown()
        server.wait()
    }
    let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    let script = here.appendingPathComponent("Interop/ws_client.py")
    // `make deps` installs the Python test tools into the repository's .venv; else use python3 on PATH.
    let venvPython = here.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(".venv/bin/python")
    let process = Process()
    if FileManager.default.isExecutableFile(atPath: venvPython.path) {
        process.executableURL = venvPython
        process.arguments = [script.path, String(server.port), scenario]
    } else {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, String(server.port), scenario]
    }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    let errors = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw InteropFailure(message: "interop client failed (it needs Python with `websockets`: run `make deps` or `pip install websockets`): \(errors)")
    }
    return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
}

struct InteropFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

@Suite(.serialized) struct WebSocketInteropTests {
    @Test(.timeLimit(.minutes(1))) func echoesFragmentsPingsAndClosesNormally() throws {
        let r = try runClient("echo")
        #expect(r["greeting"] as? String == "hello")
        #expect(r["echo"] as? String == "hello, wörld ✓")
        #expect(r["fragmented"] as? String == "fragmented")
        #expect(r["max_size_ok"] as? Bool == true)
        #expect(r["pong"] as? Bool == true)
        #expect(r["close_code"] as? Int == 1000)
        #expect(r["close_code_sent_back"] as? Int == 1000)
    }

    @Test(.timeLimit(.minutes(1))) func messageOver4KiBClosesWith1009() throws {
        let r = try runClient("too_big")
        #expect(r["closed"] as? Bool == true)
        #expect(r["code"] as? Int == 1009)
    }

    @Test(.timeLimit(.minutes(1))) func binaryWithoutHandlerClosesWith1003() throws {
        let r = try runClient("binary_refused")
        #expect(r["code"] as? Int == 1003)
    }

    @Test(.timeLimit(.minutes(1))) func invalidFramesCloseWith1002Or1007() throws {
        let r = try runClient("protocol_errors")
        let expected = ["unmasked": 1002, "rsv": 1002, "opcode": 1002, "continuation": 1002, "long_ping": 1002, "bad_utf8": 1007]
        for (name, code) in expected {
            let result = r[name] as? [String: Any]
            #expect(result?["code"] as? Int == code, "\(name)")
            #expect(result?["tcp_closed"] as? Bool == true, "\(name)")
        }
    }

    @Test(.timeLimit(.minutes(1))) func oneSharedFrameReachesEverySocket() throws {
        let r = try runClient("broadcast")
        #expect(r["received"] as? [String] == Array(repeating: "to everyone", count: 5))
    }

    @Test(.timeLimit(.minutes(1))) func dropsAClientThatDoesNotRead() throws {
        let service = EchoService()
        let r = try runClient("slow_reader", service: service)
        #expect(r["dropped"] as? Bool == true)
        // Far less than the 128 MiB asked for: the backlog bound cut the client off.
        #expect((r["received_bytes"] as? Int ?? .max) < 32 << 20)
        #expect(service.closeCodes.withLock { $0 } == [CloseCode.policyViolation.rawValue])
    }

    @Test(.timeLimit(.minutes(1))) func serverPingsThenClosesSilentSockets() throws {
        let r = try runClient("server_ping_and_idle")
        #expect((r["pings"] as? Int ?? 0) >= 1)
        #expect(r["close_code"] as? Int == 1001)
    }
}
