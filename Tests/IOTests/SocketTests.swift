import Foundation
import Testing
import TestSupport
@testable import IO

@Suite(.timeLimit(.minutes(1)))
struct SocketTests {
    @Test func listenAcceptAndConnectOnLoopback() throws {
        let listener = try Socket.listen(host: "127.0.0.1", port: 0)
        let port = try Socket.localPort(listener.rawValue)
        #expect(port > 0)
        var peer = ""
        #expect(try Socket.accept(listener.rawValue, peer: &peer) == nil)  // nothing waiting: nil, not an error
        let client = try Socket.connect(host: "127.0.0.1", port: port, timeout: 2)
        let accepted = try acceptWithin(listener.rawValue, peer: &peer)
        #expect(accepted >= 0)
        #expect(peer.hasPrefix("127.0.0.1:"))
        _ = write(client.rawValue, "ping", 4)
        var buf = [UInt8](repeating: 0, count: 8)
        var n = -1
        for _ in 0..<200 {
            n = read(accepted, &buf, 8)
            if n > 0 { break }
            usleep(5_000)
        }
        #expect(Array(buf[..<max(0, n)]) == Array("ping".utf8))
        close(accepted)
        client.close()
        listener.close()
    }

    @Test func reusePortLetsTwoListenersShareAPort() throws {
        let first = try Socket.listen(host: "127.0.0.1", port: 0, reusePort: true)
        let port = try Socket.localPort(first.rawValue)
        let second = try Socket.listen(host: "127.0.0.1", port: port, reusePort: true)
        #expect(try Socket.localPort(second.rawValue) == port)
        second.close()
        first.close()
    }

    @Test func unixListenerAcceptsAndReplacesTheSocketOfAProcessThatIsGone() throws {
        let dir = TempDir()
        let path = dir.file("svc.sock")
        let listener = try Socket.listen(unixPath: path)
        var info = stat()
        #expect(stat(path, &info) == 0 && info.st_mode & 0o777 == 0o666)
        let client = try Socket.connect(unixPath: path, timeout: 2)
        var peer = ""
        let accepted = try acceptWithin(listener.rawValue, peer: &peer)
        #expect(accepted >= 0)
        #expect(peer == "local")
        _ = write(client.rawValue, "ping", 4)
        var buf = [UInt8](repeating: 0, count: 8)
        #expect(read(accepted, &buf, 8) == 4)
        close(accepted)
        client.close()
        listener.close()
        // The socket file outlives its listener (a crash leaves it too); the next start replaces it.
        #expect(FileManager.default.fileExists(atPath: path))
        let again = try Socket.listen(unixPath: path)
        try Socket.connect(unixPath: path, timeout: 2).close()
        again.close()
    }

    @Test func unixListenerNeverTakesOverALiveSocketOrAnotherFile() throws {
        let dir = TempDir()
        let path = dir.file("svc.sock")
        let live = try Socket.listen(unixPath: path)
        #expect { try Socket.listen(unixPath: path).close() } throws: { ($0 as? SystemError)?.errno == EADDRINUSE }
        try Socket.connect(unixPath: path, timeout: 2).close()  // still the first listener's
        live.close()

        let file = dir.file("data.db")
        try Data("keep".utf8).write(to: URL(fileURLWithPath: file))
        #expect { try Socket.listen(unixPath: file).close() } throws: { ($0 as? SystemError)?.errno == EEXIST }
        #expect(try Data(contentsOf: URL(fileURLWithPath: file)) == Data("keep".utf8))

        let long = "/tmp/" + String(repeating: "x", count: 120)
        #expect { try Socket.listen(unixPath: long).close() } throws: { ($0 as? SystemError)?.errno == ENAMETOOLONG }
    }

    /// The first connection the non-blocking `listener` accepts within a second; -1 when none came.
    private func acceptWithin(_ listener: Int32, peer: inout String) throws -> Int32 {
        for _ in 0..<200 {
            if let fd = try Socket.accept(listener, peer: &peer) { return fd.release() }
            usleep(5_000)
        }
        return -1
    }

    @Test func connectToAClosedPortFailsWithErrno() throws {
        let listener = try Socket.listen(host: "127.0.0.1", port: 0)
        let port = try Socket.localPort(listener.rawValue)
        listener.close()
        #expect(throws: SystemError.self) { try Socket.connect(host: "127.0.0.1", port: port, timeout: 1).close() }
    }

    @Test func sysReturnsNilOnWouldBlockAndThrowsOtherwise() throws {
        let (a, b) = try Socket.pair()
        var byte: UInt8 = 0
        #expect(try sys("read") { read(a, &byte, 1) } == nil)
        close(a)
        close(b)
        #expect(throws: SystemError.self) { _ = try sys("read") { read(a, &byte, 1) } }
        do {
            _ = try sys("read") { read(-1, &byte, 1) }
        } catch {
            #expect(error.errno == EBADF)
            #expect(error.description.contains("read"))
        }
    }
}
