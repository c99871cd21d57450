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
}
