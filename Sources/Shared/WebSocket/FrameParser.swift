/// Parses client-to-server frames (RFC 6455 §5) as a pure state machine: it never touches a
/// socket, takes bytes in any split, and checks every limit before buffering a payload byte.
///
/// It delivers control frames (ping, pong, close) as they come, and data frames as complete
/// messages: fragments are joined, payloads unmasked, and text checked to be UTF-8 as it
/// arrives, so an invalid message fails at its first bad byte.
///
///     var parser = FrameParser(maxMessage: 4096)
///     var offset = 0
///     while let frame = try parser.parse(buffer, at: &offset) { handle(frame) }
///
/// A thrown `WebSocketError` carries the close code to fail the connection with; the parser
/// must not be used after it threw.
public struct FrameParser: Sendable {
    /// The largest message, summed over its fragments, in payload bytes (over it: 1009).
    public var maxMessage: Int
    /// Client frames must be masked (RFC 6455 §5.1). False only for parsing server frames.
    public var requireMask: Bool

    private enum State { case head, payload }
    private var state = State.head

    // The frame being read.
    private var head: [UInt8] = []
    private var headLength = 2
    private var fin = false
    private var opcode = Opcode.continuation
    private var mask: UInt32 = 0  // the key's first octet in the high byte
    private var masked = false
    private var remaining = 0
    private var maskOffset = 0
    private var control: [UInt8] = []

    // The data message being assembled across fragments; nil between messages.
    private var messageOpcode: Opcode?
    private var message: [UInt8] = []
    private var utf8 = UTF8Validator()

    /// - Parameters:
    ///   - maxMessage: the largest message in bytes; the API allows 4 KiB from clients.
    ///   - requireMask: reject unmasked frames (a server parsing client frames must).
    public init(maxMessage: Int = 4096, requireMask: Bool = true) {
        self.maxMessage = maxMessage
        self.requireMask = requireMask
        head.reserveCapacity(14)
    }

    /// True between the first and the last fragment of a message.
    public var isInsideMessage: Bool { messageOpcode != nil }

    /// Consumes bytes of `input` from `offset` on, advancing `offset`, until a frame or message
    /// is complete (returned) or the input is used up (nil: need more bytes).
    public mutating func parse(_ input: UnsafeRawBufferPointer, at offset: inout Int) throws(WebSocketError) -> Frame? {
        while true {
            switch state {
            case .head:
                while head.count < headLength {
                    guard offset < input.count else { return nil }
                    head.append(input[offset])
                    offset += 1
                    if head.count == 2 { try readFirstTwoBytes() }
                }
                try readRestOfHead()
                state = .payload
                if remaining == 0, let frame = try finishFrame() { return frame }
            case .payload:
                guard offset < input.count else { return nil }
                let count = min(remaining, input.count - offset)
                let chunk = UnsafeRawBufferPointer(rebasing: input[offset..<offset + count])
                offset += count
                try appendPayload(chunk)
                if remaining == 0, let frame = try finishFrame() { return frame }
            }
        }
    }

    /// RFC 6455 §5.2: FIN, RSV1–3, opcode; MASK and the 7-bit length.
    private mutating func readFirstTwoBytes() throws(WebSocketError) {
        let b0 = head[0], b1 = head[1]
        // No extension is negotiated, so every RSV bit must be 0 (§5.2).
        guard b0 & 0x70 == 0 else { throw WebSocketError(.protocolError, "reserved bits set") }
        guard let op = Opcode(rawValue: b0 & 0x0F) else { throw WebSocketError(.protocolError, "unknown opcode") }
        fin = b0 & 0x80 != 0
        opcode = op
        masked = b1 & 0x80 != 0
        let length7 = b1 & 0x7F
        // §5.1: the server must fail the connection on an unmasked client frame.
        if requireMask && !masked { throw WebSocketError(.protocolError, "unmasked client frame") }
        if op.isControl {
            // §5.5: control frames carry at most 125 bytes and are never fragmented.
            guard fin else { throw WebSocketError(.protocolError, "fragmented control frame") }
            guard length7 <= 125 else { throw WebSocketError(.protocolError, "control frame too long") }
        } else if op == .continuation {
            guard messageOpcode != nil else { throw WebSocketError(.protocolError, "continuation without a message") }
        } else {
            // §5.4: fragments of one message are not interleaved with another data message.
            guard messageOpcode == nil else { throw WebSocketError(.protocolError, "new message inside a fragmented one") }
        }
        headLength = 2 + (length7 == 126 ? 2 : length7 == 127 ? 8 : 0) + (masked ? 4 : 0)
    }

    /// The extended length and the masking key; checks the size limit before any payload arrives.
    private mutating func readRestOfHead() throws(WebSocketError) {
        let length7 = head[1] & 0x7F
        var index = 2
        var length: UInt64
        switch length7 {
        case 126:
            length = UInt64(head[2]) << 8 | UInt64(head[3])
            index = 4
        case 127:
            length = 0
            for i in 2..<10 { length = length << 8 | UInt64(head[i]) }
            // §5.2: the most significant bit of a 64-bit length must be 0.
            guard length & (1 << 63) == 0 else { throw WebSocketError(.protocolError, "length has the top bit set") }
            index = 10
        default:
            length = UInt64(length7)
        }
        if !opcode.isControl {
            let room = UInt64(max(0, maxMessage - message.count))
            guard length <= room else { throw WebSocketError(.tooBig, "message too big") }
        }
        if masked {
            mask = UInt32(head[index]) << 24 | UInt32(head[index + 1]) << 16
                | UInt32(head[index + 2]) << 8 | UInt32(head[index + 3])
        }
        remaining = Int(length)
        maskOffset = 0
        head.removeAll(keepingCapacity: true)
        headLength = 2
        if opcode.isControl {
            control.removeAll(keepingCapacity: true)
        } else {
            if opcode != .continuation {
                messageOpcode = opcode
                utf8 = UTF8Validator()
            }
            message.reserveCapacity(message.count + remaining)
        }
    }

    private mutating func appendPayload(_ chunk: UnsafeRawBufferPointer) throws(WebSocketError) {
        if opcode.isControl {
            Self.appendUnmasked(chunk, to: &control, mask: masked ? mask : nil, offset: maskOffset)
        } else {
            let start = message.count
            Self.appendUnmasked(chunk, to: &message, mask: masked ? mask : nil, offset: maskOffset)
            if messageOpcode == .text {
                for i in start..<message.count where !utf8.feed(message[i]) {
                    throw WebSocketError(.invalidPayload, "text is not valid UTF-8")
                }
            }
        }
        maskOffset += chunk.count
        remaining -= chunk.count
    }

    /// §5.3: octet i of the payload is XORed with octet i mod 4 of the masking key.
    private static func appendUnmasked(_ chunk: UnsafeRawBufferPointer, to buffer: inout [UInt8],
                                       mask: UInt32?, offset: Int) {
        let start = buffer.count
        buffer.append(contentsOf: chunk)
        guard let mask else { return }
        buffer.withUnsafeMutableBufferPointer { bytes in
            for i in start..<bytes.count {
                let shift = UInt32(3 - (offset + i - start) & 3) * 8
                bytes[i] ^= UInt8(truncatingIfNeeded: mask >> shift)
            }
        }
    }

    private mutating func finishFrame() throws(WebSocketError) -> Frame? {
        state = .head
        if opcode.isControl {
            let frame = Frame(opcode, control)
            control = []
            if opcode == .close { try Self.validateClose(frame.payload) }
            return frame
        }
        guard fin, let complete = messageOpcode else { return nil }  // more fragments follow
        if complete == .text && !utf8.isComplete {
            throw WebSocketError(.invalidPayload, "text is not valid UTF-8")
        }
        let frame = Frame(complete, message)
        message = []
        messageOpcode = nil
        return frame
    }

    /// §5.5.1 and §7.4: an optional 2-byte valid code, then an optional UTF-8 reason.
    private static func validateClose(_ payload: [UInt8]) throws(WebSocketError) {
        guard payload.count != 1 else { throw WebSocketError(.protocolError, "close payload of one byte") }
        guard payload.count >= 2 else { return }
        let code = UInt16(payload[0]) << 8 | UInt16(payload[1])
        guard CloseCode.isValidOnWire(code) else { throw WebSocketError(.protocolError, "invalid close code") }
        guard UTF8Validator.isValid(payload[2...]) else { throw WebSocketError(.invalidPayload, "close reason is not valid UTF-8") }
    }
}
