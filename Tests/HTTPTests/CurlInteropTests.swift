import Foundation
import Testing
import TestSupport
@testable import HTTP

/// Runs the real curl binary; a missing curl is a failure that says what to install.
func curl(_ arguments: [String], stdin: Data? = nil) throws -> (status: Int32, out: String, err: String) {
    let path = ["/usr/bin/curl", "/usr/local/bin/curl"].first { FileManager.default.isExecutableFile(atPath: $0) }
    guard let path else { throw HTTPClientError("curl not found: apt-get install -y curl") }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = ["--silent", "--show-error", "--max-time", "20"] + arguments
    let out = Pipe(), err = Pipe(), input = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = input
    try process.run()
    if let stdin { input.fileHandleForWriting.write(stdin) }
    try input.fileHandleForWriting.close()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
}

@Suite(.timeLimit(.minutes(1)))
struct CurlInteropTests {
    @Test func curlReusesTheKeepAliveConnection() throws {
        let s = try TestServer(testRouter())
        defer { s.stop() }
        let base = "http://127.0.0.1:\(s.port)"
        let r = try curl(["-v", "\(base)/hello", "\(base)/blocking", "\(base)/rooms/3"])
        #expect(r.status == 0)
        #expect(r.out == "hellofrom pool{\"id\":3}")
        #expect(r.err.contains("Re-using existing connection") || r.err.contains("Reusing existing connection"))
        #expect(!r.err.contains("Closing connection"))
    }

    @Test func curlUploadsAChunkedBody() throws {
        let s = try TestServer(testRouter())
        defer { s.stop() }
        let payload = Data((0..<30_000).map { UInt8(truncatingIfNeeded: $0 % 251) })
        let r = try curl(["-H", "Transfer-Encoding: chunked", "-H", "Content-Type: application/octet-stream",
                          "--data-binary", "@-", "http://127.0.0.1:\(s.port)/echo"], stdin: payload)
        #expect(r.status == 0, "\(r.err)")
        #expect(Data(r.out.utf8).count == payload.count || r.out.utf8.count > 0)
        // Compare bytes exactly through a second run that writes to a file.
        let dir = TempDir()
        let file = dir.file("out.bin")
        let again = try curl(["-H", "Transfer-Encoding: chunked", "--data-binary", "@-", "-o", file,
                              "http://127.0.0.1:\(s.port)/echo"], stdin: payload)
        #expect(again.status == 0)
        #expect(FileManager.default.contents(atPath: file) == payload)
    }

    @Test func curlHeadAndErrors() throws {
        let s = try TestServer(testRouter())
        defer { s.stop() }
        let head = try curl(["-I", "http://127.0.0.1:\(s.port)/hello"])
        #expect(head.status == 0)
        #expect(head.out.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(head.out.contains("Content-Length: 5\r\n"))
        let tooBig = try curl(["-w", "%{http_code}", "-o", "/dev/null", "-H", "Content-Type: application/octet-stream",
                               "--data-binary", String(repeating: "x", count: 70_000), "http://127.0.0.1:\(s.port)/echo"])
        #expect(tooBig.out == "413")
        let expect = try curl(["-H", "Expect: 100-continue", "--data-binary", "abc", "http://127.0.0.1:\(s.port)/echo"])
        #expect(expect.out == "abc")
    }
}
