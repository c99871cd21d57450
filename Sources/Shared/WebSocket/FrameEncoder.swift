/// Encodes frames (RFC 6455 §5.2). Server frames are unmasked; a mask is only for clients
/// (tests). Encode a frame once and queue the same bytes on many connections:
///
///     let frame = SharedBytes(FrameEncoder.text(json))
///     for connection in room { connection.send(shared: frame) }
public enum FrameEncoder {
    /// One frame with `payload`. `fin: false` starts or continues a fragmented message.
    public static func encode(_ opcode: Opcode, _ payload: some Collection<UInt8>, fin: Bool = true,
                              mask: [UInt8]? = nil) -> [UInt8] {
        precondition(mask == nil || mask!.count == 4, "a masking key has 4 bytes")
        let count = payload.count
        var out: [UInt8] = []
        out.reserveCapacity(count + 14)
        out.append((fin ? 0x80 : 0) | opcode.rawValue)
        let maskBit: UInt8 = mask == nil ? 0 : 0x80
        // §5.2: 7-bit length up to 125, else 126 + 16-bit, else 127 + 64-bit, in network order.
        if count <= 125 {
            out.append(maskBit | UInt8(count))
        } else if count <= 0xFFFF {
            out.append(maskBit | 126)
            out.append(UInt8(count >> 8))
            out.append(UInt8(count & 0xFF))
        } else {
            out.append(maskBit | 127)
            for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8((UInt64(count) >> UInt64(shift)) & 0xFF)) }
        }
        if let mask {
            out.append(contentsOf: mask)
            for (i, byte) in payload.enumerated() { out.append(byte ^ mask[i & 3]) }
        } else {
            out.append(contentsOf: payload)
        }
        return out
    }

    /// A complete text message in one frame.
    public static func text(_ text: String) -> [UInt8] { encode(.text, Array(text.utf8)) }

    /// A complete binary message in one frame.
    public static func binary(_ bytes: [UInt8]) -> [UInt8] { encode(.binary, bytes) }

    /// A ping; control payloads are at most 125 bytes (§5.5).
    public static func ping(_ payload: [UInt8] = []) -> [UInt8] { encode(.ping, payload.prefix(125)) }

    /// A pong, echoing the ping's payload (§5.5.3).
    public static func pong(_ payload: [UInt8] = []) -> [UInt8] { encode(.pong, payload.prefix(125)) }

    /// A close frame with a code and a reason, cut to fit 125 bytes at a character boundary.
    public static func close(_ code: CloseCode, reason: String = "") -> [UInt8] {
        close(rawCode: code.rawValue, reason: reason)
    }

    /// A close frame with any code, e.g. echoing the peer's (§5.5.1).
    public static func close(rawCode code: UInt16, reason: String = "") -> [UInt8] {
        var payload: [UInt8] = [UInt8(code >> 8), UInt8(code & 0xFF)]
        var reasonBytes = 0
        for scalar in reason.unicodeScalars {
            let width = String(scalar).utf8.count
            guard reasonBytes + width <= 123 else { break }
            payload.append(contentsOf: String(scalar).utf8)
            reasonBytes += width
        }
        return encode(.close, payload)
    }
}
