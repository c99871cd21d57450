@testable import WebSocket

let testMask: [UInt8] = [0x37, 0xFA, 0x21, 0x3D]

/// A masked client frame.
func clientFrame(_ opcode: Opcode, _ payload: [UInt8], fin: Bool = true) -> [UInt8] {
    FrameEncoder.encode(opcode, payload, fin: fin, mask: testMask)
}

func clientFrame(_ opcode: Opcode, _ text: String, fin: Bool = true) -> [UInt8] {
    clientFrame(opcode, Array(text.utf8), fin: fin)
}

/// Feeds `chunks` to a fresh parser; returns the frames, or the error it threw.
func parse(_ chunks: [[UInt8]], maxMessage: Int = 4096, requireMask: Bool = true) -> Result<[Frame], WebSocketError> {
    var parser = FrameParser(maxMessage: maxMessage, requireMask: requireMask)
    var frames: [Frame] = []
    for chunk in chunks {
        let result: Result<Void, WebSocketError> = chunk.withUnsafeBytes { buffer in
            var offset = 0
            do throws(WebSocketError) {
                while let frame = try parser.parse(buffer, at: &offset) { frames.append(frame) }
                precondition(offset == buffer.count, "parser returned nil before using its input")
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        if case .failure(let error) = result { return .failure(error) }
    }
    return .success(frames)
}

func parse(_ bytes: [UInt8], maxMessage: Int = 4096, requireMask: Bool = true) -> Result<[Frame], WebSocketError> {
    parse([bytes], maxMessage: maxMessage, requireMask: requireMask)
}

/// Every way to cut `bytes` in two, plus one byte at a time.
func splits(_ bytes: [UInt8]) -> [[[UInt8]]] {
    var result = (0...bytes.count).map { [Array(bytes[..<$0]), Array(bytes[$0...])] }
    result.append(bytes.map { [$0] })
    return result
}

func errorCode(_ result: Result<[Frame], WebSocketError>) -> CloseCode? {
    if case .failure(let error) = result { return error.code }
    return nil
}
