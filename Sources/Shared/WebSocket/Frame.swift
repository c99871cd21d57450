/// A frame as the parser delivers it: a control frame (ping, pong, close), or a complete data
/// message (text or binary) with all its fragments joined and unmasked.
public struct Frame: Sendable, Equatable {
    public var opcode: Opcode
    public var payload: [UInt8]

    public init(_ opcode: Opcode, _ payload: [UInt8] = []) {
        self.opcode = opcode
        self.payload = payload
    }

    /// The payload of a text message as a string. The parser already checked it is valid UTF-8.
    public var text: String { String(decoding: payload, as: UTF8.self) }

    /// The status code of a close frame, nil when the peer sent none (RFC 6455 §5.5.1).
    public var closeCode: UInt16? {
        guard opcode == .close, payload.count >= 2 else { return nil }
        return UInt16(payload[0]) << 8 | UInt16(payload[1])
    }

    /// The reason text of a close frame (after the code), possibly empty.
    public var closeReason: String {
        guard opcode == .close, payload.count > 2 else { return "" }
        return String(decoding: payload[2...], as: UTF8.self)
    }
}
