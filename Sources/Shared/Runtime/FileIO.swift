import Glibc

/// Whole-buffer reads and writes on a file descriptor, retrying after signals.
public enum FileIO {
    /// Writes every byte unless the descriptor fails; false when it did.
    @discardableResult
    public static func writeAll(_ descriptor: Int32, _ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 { if errno == EINTR { continue } else { return false } }
                offset += n
            }
            return true
        }
    }

    /// Text for the terminal: usage and errors of command-line tools.
    public static func printError(_ text: String) { writeAll(2, Array(text.utf8)) }

    /// Everything up to end of file; nil when reading fails.
    public static func readToEnd(_ descriptor: Int32) -> [UInt8]? {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress!, $0.count) }
            if n < 0 { if errno == EINTR { continue } else { return nil } }
            if n == 0 { return out }
            out.append(contentsOf: chunk[0..<n])
        }
    }

    /// The first line of what is left to read: the text up to the first line feed, without a carriage
    /// return before it. Nil when reading fails or the bytes are not UTF-8.
    public static func firstLine(_ descriptor: Int32) -> String? {
        guard let bytes = readToEnd(descriptor), let text = String(validating: bytes, as: UTF8.self) else { return nil }
        // By scalars: "\r\n" is a single Character, which a Character search would not split.
        let line = text.unicodeScalars.prefix { $0 != "\n" }
        return String(line.last == "\r" ? line.dropLast() : line)
    }

    /// Writes `bytes` to `path` all or nothing: into a hidden temporary file beside it, fsynced, then
    /// renamed over `path`, and the rename made durable. A crash leaves the old file or the whole new
    /// one, never a torn one.
    public static func writeDurably(_ bytes: [UInt8], to path: String, mode: mode_t = 0o644) throws(FileError) {
        let (directory, name) = split(path)
        let temp = "\(directory)/.\(name).tmp-\(String(UInt64.random(in: 0...UInt64.max), radix: 16))"
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw FileError(operation: "open", path: temp, code: errno) }
        var done = false
        defer {
            close(fd)
            if !done { unlink(temp) }
        }
        guard writeAll(fd, bytes) else { throw FileError(operation: "write", path: temp, code: errno) }
        guard fsync(fd) == 0 else { throw FileError(operation: "fsync", path: temp, code: errno) }
        guard rename(temp, path) == 0 else { throw FileError(operation: "rename", path: path, code: errno) }
        done = true
        syncDirectory(of: path)
    }

    /// Makes a rename or a new name in `path`'s folder durable (best effort: some file systems refuse
    /// to sync a directory).
    public static func syncDirectory(of path: String) {
        let directory = split(path).directory
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }

    /// `path`'s folder ("." for a bare name, "/" for a file at the root) and its last component.
    private static func split(_ path: String) -> (directory: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let directory = String(path[..<slash])
        return (directory.isEmpty ? "/" : directory, String(path[path.index(after: slash)...]))
    }
}

/// A file operation that failed: which, on what, and why.
public struct FileError: Error, CustomStringConvertible, Sendable {
    public var operation: String
    public var path: String
    public var code: Int32

    public var description: String { "\(operation) \(path) failed: \(String(cString: strerror(code)))" }
}
