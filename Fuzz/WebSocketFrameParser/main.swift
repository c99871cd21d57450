// libFuzzer target for the WebSocket frame parser. Built standalone (see `sources`) with
// `swiftc -sanitize=fuzzer`. The first input byte picks the message limit and a chunk size;
// the rest is fed to the parser once whole and once in chunks. Invariants checked:
// the same frames or the same error either way; control payloads ≤ 125 bytes; messages within
// the limit; text that passed is valid UTF-8 by the standard library's own check.

func run(_ bytes: [UInt8], chunk: Int, maxMessage: Int, requireMask: Bool) -> ([Frame], WebSocketError?) {
    var parser = FrameParser(maxMessage: maxMessage, requireMask: requireMask)
    var frames: [Frame] = []
    var start = 0
    while start < bytes.count {
        let end = min(bytes.count, start + chunk)
        let slice = Array(bytes[start..<end])
        let failure: WebSocketError? = slice.withUnsafeBytes { buffer in
            var offset = 0
            do throws(WebSocketError) {
                while let frame = try parser.parse(buffer, at: &offset) { frames.append(frame) }
                precondition(offset == buffer.count, "input left unconsumed")
                return nil
            } catch {
                return error
            }
        }
        if let failure { return (frames, failure) }
        start = end
    }
    return (frames, nil)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size > 0 else { return 0 }
    let seed = data[0]
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let maxMessage = seed & 0x80 != 0 ? 4096 : 64
    let requireMask = seed & 0x40 != 0
    let chunk = Int(seed & 0x3F) + 1

    let (whole, wholeError) = run(bytes, chunk: max(1, bytes.count), maxMessage: maxMessage, requireMask: requireMask)
    let (split, splitError) = run(bytes, chunk: chunk, maxMessage: maxMessage, requireMask: requireMask)
    precondition(whole == split, "frames depend on how the input was split")
    precondition(wholeError == splitError, "errors depend on how the input was split")

    for frame in whole {
        if frame.opcode.isControl {
            precondition(frame.payload.count <= 125, "control frame over 125 bytes")
        } else {
            precondition(frame.opcode == .text || frame.opcode == .binary, "continuation delivered")
            precondition(frame.payload.count <= maxMessage, "message over the limit")
        }
        if frame.opcode == .text {
            precondition(String(validating: frame.payload, as: UTF8.self) != nil, "invalid UTF-8 accepted")
        }
        if frame.opcode == .close, let code = frame.closeCode {
            precondition(CloseCode.isValidOnWire(code), "invalid close code accepted")
        }
    }
    return 0
}
