import Testing
import Runtime

struct HexTests {
    @Test func encodesLowercaseAndDecodesBothCases() {
        #expect(Hex.encode([]) == "")
        #expect(Hex.encode([0x00, 0x0f, 0xa0, 0xff]) == "000fa0ff")
        #expect(Hex.decode("000FA0ff") == [0x00, 0x0f, 0xa0, 0xff])
        #expect(Hex.decode("abc") == nil)
        #expect(Hex.decode("zz") == nil)
        #expect(Hex.decode("0g") == nil)
    }

    @Test func everyByteRoundTrips() {
        let all = (0...255).map { UInt8($0) }
        #expect(Hex.decode(Hex.encode(all)) == all)
        #expect(Hex.decode(Hex.encode(all).uppercased()) == all)
    }

    @Test func digitValueAcceptsExactlyTheHexDigits() {
        for byte in 0...255 {
            let expected = UInt8(String(UnicodeScalar(UInt8(byte))), radix: 16)
            #expect(Hex.value(UInt8(byte)) == expected, "byte \(byte)")
        }
    }
}
