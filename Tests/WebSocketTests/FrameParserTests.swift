import Testing
@testable import WebSocket

@Suite struct FrameParserTests {
    @Test func parsesMaskedTextFrameSplitAtEveryOffset() throws {
        let bytes = clientFrame(.text, "Hello, wörld")
        for chunks in splits(bytes) {
            #expect(try parse(chunks).get() == [Frame(.text, Array("Hello, wörld".utf8))])
        }
    }

    @Test func parsesSeveralFramesInOneBuffer() throws {
        let bytes = clientFrame(.text, "a") + clientFrame(.ping, "p") + clientFrame(.binary, [1, 2, 3]) + clientFrame(.text, "")
        let frames = try parse(bytes).get()
        #expect(frames == [Frame(.text, [0x61]), Frame(.ping, [0x70]), Frame(.binary, [1, 2, 3]), Frame(.text, [])])
    }

    @Test func parsesSixteenAndSixtyFourBitLengths() throws {
        let medium = [UInt8](repeating: 0x41, count: 300)
        let large = [UInt8](repeating: 0x42, count: 70_000)
        let bytes = clientFrame(.binary, medium) + clientFrame(.binary, large)
        #expect(bytes[1] & 0x7F == 126)
        for chunks in [[bytes], bytes.chunked(1000), bytes.chunked(7)] {
            #expect(try parse(chunks, maxMessage: 100_000).get() == [Frame(.binary, medium), Frame(.binary, large)])
        }
    }

    @Test func reassemblesFragmentsWithInterleavedControlFrames() throws {
        let bytes = clientFrame(.text, "Hel", fin: false) + clientFrame(.ping, "x")
            + clientFrame(.continuation, "", fin: false) + clientFrame(.continuation, "lo", fin: false)
            + clientFrame(.pong, "") + clientFrame(.continuation, " ä", fin: true)
        for chunks in splits(bytes) {
            #expect(try parse(chunks).get() == [Frame(.ping, [0x78]), Frame(.pong, []), Frame(.text, Array("Hello ä".utf8))])
        }
    }

    @Test func acceptsUnmaskedFramesWhenMaskNotRequired() throws {
        let bytes = FrameEncoder.text("hi") + FrameEncoder.close(.normal, reason: "bye")
        let frames = try? parse(bytes, requireMask: false).get()
        #expect(frames?.first == Frame(.text, [0x68, 0x69]))
        #expect(frames?.last?.closeCode == 1000)
        #expect(frames?.last?.closeReason == "bye")
    }

    @Test func truncatedInputNeedsMoreWithoutError() throws {
        let bytes = clientFrame(.text, "truncated frame")
        for cut in 0..<bytes.count {
            #expect(try parse(Array(bytes[..<cut])).get() == [])
        }
    }

    @Test func rejectsUnmaskedClientFrame() throws {
        #expect(errorCode(parse(FrameEncoder.text("hi"))) == .protocolError)
    }

    @Test(arguments: [0x40, 0x20, 0x10] as [UInt8])
    func rejectsReservedBits(bit: UInt8) throws {
        var bytes = clientFrame(.text, "hi")
        bytes[0] |= bit
        #expect(errorCode(parse(bytes)) == .protocolError)
    }

    @Test(arguments: [3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF] as [UInt8])
    func rejectsUnknownOpcodes(opcode: UInt8) throws {
        let bytes: [UInt8] = [0x80 | opcode, 0x80] + testMask
        #expect(errorCode(parse(bytes)) == .protocolError)
    }

    @Test func rejectsControlFrameOver125Bytes() throws {
        let bytes: [UInt8] = [0x89, 0x80 | 126, 0x00, 126] + testMask + [UInt8](repeating: 0, count: 126)
        #expect(errorCode(parse(bytes)) == .protocolError)
        // The length alone is enough: nothing after the second byte is needed.
        #expect(errorCode(parse(Array(bytes[..<2]))) == .protocolError)
    }

    @Test func rejectsFragmentedControlFrame() throws {
        #expect(errorCode(parse(clientFrame(.ping, "x", fin: false))) == .protocolError)
    }

    @Test func rejectsContinuationWithoutStart() throws {
        #expect(errorCode(parse(clientFrame(.continuation, "x"))) == .protocolError)
    }

    @Test func rejectsNewDataFrameInsideFragmentedMessage() throws {
        let bytes = clientFrame(.text, "a", fin: false) + clientFrame(.binary, [1])
        #expect(errorCode(parse(bytes)) == .protocolError)
    }

    @Test func rejectsSixtyFourBitLengthWithTopBitSet() throws {
        let bytes: [UInt8] = [0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 1] + testMask
        #expect(errorCode(parse(bytes)) == .protocolError)
    }

    @Test func rejectsOversizedLengthBeforeAnyPayload() throws {
        // A header announcing 2^62 bytes fails with 1009 before a single payload byte arrives.
        let huge: [UInt8] = [0x82, 0xFF, 0x40, 0, 0, 0, 0, 0, 0, 0] + testMask
        #expect(errorCode(parse(huge)) == .tooBig)
        let justOver = clientFrame(.text, [UInt8](repeating: 0x61, count: 4097))
        #expect(errorCode(parse(Array(justOver[..<8]))) == .tooBig)
        let exactly = clientFrame(.text, [UInt8](repeating: 0x61, count: 4096))
        #expect(try parse(exactly).get().first?.payload.count == 4096)
    }

    @Test func limitAppliesToWholeFragmentedMessage() throws {
        let part = [UInt8](repeating: 0x61, count: 3000)
        let bytes = clientFrame(.text, part, fin: false) + clientFrame(.continuation, part)
        #expect(errorCode(parse(bytes)) == .tooBig)
        #expect(try parse(bytes, maxMessage: 6000).get().first?.payload.count == 6000)
    }

    @Test(arguments: [
        [0xFF], [0xC0, 0x80], [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80],
        [0xF5, 0x80, 0x80, 0x80], [0x80], [0xCE, 0xBA, 0xE1],
    ] as [[UInt8]])
    func rejectsInvalidUTF8InText(bytes: [UInt8]) throws {
        #expect(errorCode(parse(clientFrame(.text, bytes))) == .invalidPayload)
    }

    @Test func rejectsInvalidUTF8SplitAcrossFragments() throws {
        // "κ" is CE BA; the second fragment ends the message inside a three-byte sequence.
        let bytes = clientFrame(.text, [0xCE], fin: false) + clientFrame(.continuation, [0xBA, 0xE2, 0x82])
        for chunks in splits(bytes) {
            #expect(errorCode(parse(chunks)) == .invalidPayload)
        }
        // A scalar split across fragments is fine.
        let valid = clientFrame(.text, [0xE2, 0x82], fin: false) + clientFrame(.continuation, [0xAC])
        #expect(try parse(valid).get() == [Frame(.text, Array("€".utf8))])
    }

    @Test func failsFastOnInvalidUTF8BeforeMessageEnds() throws {
        let bytes = clientFrame(.text, [0x61, 0xFF], fin: false)
        #expect(errorCode(parse(bytes)) == .invalidPayload)
    }

    @Test func binaryMayCarryAnyBytes() throws {
        #expect(try parse(clientFrame(.binary, [0xFF, 0xC0])).get() == [Frame(.binary, [0xFF, 0xC0])])
    }

    @Test func validatesClosePayload() throws {
        #expect(errorCode(parse(clientFrame(.close, [0x03]))) == .protocolError)
        #expect(errorCode(parse(clientFrame(.close, [0x03, 0xED]))) == .protocolError)  // 1005
        #expect(errorCode(parse(clientFrame(.close, [0x03, 0xE8, 0xFF]))) == .invalidPayload)
        #expect(try parse(clientFrame(.close, [])).get() == [Frame(.close, [])])
        #expect(try parse(clientFrame(.close, [0x0F, 0xA0])).get().first?.closeCode == 4000)
    }
}

extension Array {
    func chunked(_ size: Int) -> [[Element]] {
        stride(from: 0, to: count, by: size).map { Array(self[$0..<Swift.min($0 + size, count)]) }
    }
}
