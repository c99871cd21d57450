import Testing
@testable import WebSocket

@Suite struct UTF8ValidatorTests {
    @Test func acceptsWhatSwiftEncodes() {
        for text in ["", "plain ascii", "ünïcödé", "日本語", "emoji 🎉👍🏽", "\u{10FFFF}", "\u{D7FF}\u{E000}"] {
            #expect(UTF8Validator.isValid(Array(text.utf8)), "\(text)")
        }
    }

    @Test func rejectsOverlongsSurrogatesAndOutOfRange() {
        let bad: [[UInt8]] = [
            [0xC0, 0xAF], [0xC1, 0xBF], [0xE0, 0x9F, 0xBF], [0xF0, 0x8F, 0xBF, 0xBF],  // overlong
            [0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF],  // U+D800, U+DFFF
            [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80], [0xFE], [0xFF],  // > U+10FFFF
            [0x80], [0xE2, 0x82], [0xE2, 0x28, 0xA1],  // stray, truncated, bad continuation
        ]
        for bytes in bad { #expect(!UTF8Validator.isValid(bytes), "\(bytes)") }
    }

    @Test func agreesWithTheStandardLibraryOnAllTwoByteInputs() {
        for a in 0...255 {
            for b in 0...255 {
                let bytes = [UInt8(a), UInt8(b)]
                let swift = String(validating: bytes, as: UTF8.self) != nil
                #expect(UTF8Validator.isValid(bytes) == swift)
            }
        }
    }

    @Test func agreesWithTheStandardLibraryOnThreeAndFourByteLeads() {
        var mismatches = 0
        for lead in [0xE0, 0xE1, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF4, 0xF5] as [UInt8] {
            for b in 0x70...0xCF {
                for c in [0x7F, 0x80, 0xBF, 0xC0] as [UInt8] {
                    for d in [nil, 0x80, 0xBF, 0xC0] as [UInt8?] {
                        let bytes = [lead, UInt8(b), c] + (d.map { [$0] } ?? [])
                        let swift = String(validating: bytes, as: UTF8.self) != nil
                        if UTF8Validator.isValid(bytes) != swift { mismatches += 1 }
                    }
                }
            }
        }
        #expect(mismatches == 0)
    }
}
