import Foundation
import Runtime
import Testing
import TestSupport

struct FileIOTests {
    @Test func writesTheWholeFileWithItsModeAndLeavesNoTemporaryFile() throws {
        let dir = TempDir()
        let path = dir.file("reset.eml")
        try FileIO.writeDurably(Array("first".utf8), to: path, mode: 0o600)
        try FileIO.writeDurably(Array("second, longer".utf8), to: path, mode: 0o600)  // replaces it whole
        #expect(FileManager.default.contents(atPath: path) == Data("second, longer".utf8))
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["reset.eml"])
    }

    @Test func aFailureSaysWhatAndWhereAndLeavesNothing() throws {
        let dir = TempDir()
        let error = #expect(throws: FileError.self) {
            try FileIO.writeDurably([1, 2, 3], to: dir.file("missing/file.png"))
        }
        #expect(error?.operation == "open" && error?.code == ENOENT)
        #expect(error?.description.contains("missing") == true)
        // A rename onto a directory fails after the write: the temporary file is removed.
        try FileManager.default.createDirectory(atPath: dir.file("taken"), withIntermediateDirectories: false)
        #expect(FileManager.default.createFile(atPath: dir.file("taken/inside"), contents: Data()))
        let renamed = #expect(throws: FileError.self) { try FileIO.writeDurably([1], to: dir.file("taken")) }
        #expect(renamed?.operation == "rename")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["taken"])
    }

    @Test func firstLineEndsAtALineFeedAndDropsACarriageReturnBeforeIt() {
        func firstLine(_ bytes: [UInt8]) -> String? {
            var fds: [Int32] = [0, 0]
            guard pipe(&fds) == 0 else { return "pipe failed" }
            FileIO.writeAll(fds[1], bytes)
            close(fds[1])
            defer { close(fds[0]) }
            return FileIO.firstLine(fds[0])
        }
        #expect(firstLine(Array("s3cret\nnext".utf8)) == "s3cret")
        #expect(firstLine(Array("s3cret\r\n".utf8)) == "s3cret")
        #expect(firstLine(Array("no line feed".utf8)) == "no line feed")
        #expect(firstLine(Array("\nsecond".utf8)) == "")
        #expect(firstLine([]) == "")
        #expect(firstLine([0x61, 0xFF, 0x0A]) == nil)  // not UTF-8
    }
}
