import HTTP
import Testing
@testable import WebSocket

/// The examples of RFC 6455 §5.7, byte for byte.
@Suite struct FrameEncoderTests {
    @Test func singleFrameUnmaskedText() {
        #expect(FrameEncoder.text("Hello") == [0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f])
    }

    @Test func singleFrameMaskedText() {
        let masked = FrameEncoder.encode(.text, Array("Hello".utf8), mask: [0x37, 0xfa, 0x21, 0x3d])
        #expect(masked == [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58])
    }

    @Test func fragmentedUnmaskedText() {
        #expect(FrameEncoder.encode(.text, Array("Hel".utf8), fin: false) == [0x01, 0x03, 0x48, 0x65, 0x6c])
        #expect(FrameEncoder.encode(.continuation, Array("lo".utf8)) == [0x80, 0x02, 0x6c, 0x6f])
    }

    @Test func pingAndPong() {
        #expect(FrameEncoder.ping(Array("Hello".utf8)) == [0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f])
        let maskedPong = FrameEncoder.encode(.pong, Array("Hello".utf8), mask: [0x37, 0xfa, 0x21, 0x3d])
        #expect(maskedPong == [0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58])
    }

    @Test func binaryLengths() {
        let b256 = FrameEncoder.binary([UInt8](repeating: 7, count: 256))
        #expect(Array(b256[..<4]) == [0x82, 0x7E, 0x01, 0x00])
        #expect(b256.count == 260)
        let b64k = FrameEncoder.binary([UInt8](repeating: 7, count: 65536))
        #expect(Array(b64k[..<10]) == [0x82, 0x7F, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00])
        #expect(b64k.count == 65546)
        #expect(FrameEncoder.binary([UInt8](repeating: 7, count: 125))[1] == 125)
        #expect(Array(FrameEncoder.binary([UInt8](repeating: 7, count: 65535))[..<4]) == [0x82, 0x7E, 0xFF, 0xFF])
    }

    @Test func closeWithCodeAndReason() {
        #expect(FrameEncoder.close(.normal) == [0x88, 0x02, 0x03, 0xE8])
        #expect(FrameEncoder.close(.tooBig, reason: "big") == [0x88, 0x05, 0x03, 0xF1, 0x62, 0x69, 0x67])
    }

    @Test func closeReasonIsCutAtACharacterBoundary() {
        let frame = FrameEncoder.close(.normal, reason: String(repeating: "€", count: 60))  // 180 bytes
        #expect(frame.count == 2 + 2 + 123)
        #expect(frame[1] == 125)
        let parsed = try? parse(frame, requireMask: false).get()
        #expect(parsed?.first?.closeReason == String(repeating: "€", count: 41))
    }

    @Test func roundTripsThroughTheParserWithAMask() throws {
        let text = String(repeating: "round trip ✓ ", count: 20)
        let frames = try parse(FrameEncoder.encode(.text, Array(text.utf8), mask: [1, 2, 3, 4])).get()
        #expect(frames.first?.text == text)
    }

    @Test func sharedFrameIsTheEncodedBytes() {
        let shared = SharedBytes(FrameEncoder.text("{}"))
        #expect(shared.bytes == [0x81, 0x02, 0x7B, 0x7D])
    }
}
