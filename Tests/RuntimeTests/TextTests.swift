import Foundation
import Runtime
import Testing

struct TextTests {
    @Test func trimsUnicodeWhiteSpaceAndNewlinesOnlyWhenAsked() {
        #expect(" \t ada \u{00A0}\u{3000}".trimmingWhitespace() == "ada")
        #expect("\n ada \n".trimmingWhitespace() == "\n ada \n")
        #expect("\r\n ada\u{2028}".trimmingWhitespace(andNewlines: true) == "ada")
        #expect(" a b ".trimmingWhitespace() == "a b")
        #expect(" \u{00A0} ".trimmingWhitespace() == "")
        #expect("".trimmingWhitespace(andNewlines: true) == "")
        // The same answers as Foundation's character sets.
        for text in [" x ", "\u{2003}x\u{205F}", "\nx\t", "\u{85}x\r\n", "x\u{200B}", "\u{1680}x\u{202F}"] {
            #expect(text.trimmingWhitespace() == text.trimmingCharacters(in: .whitespaces), "\(text.unicodeScalars.map(\.value))")
            #expect(text.trimmingWhitespace(andNewlines: true) == text.trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }

    @Test func trimsHTTPOptionalWhiteSpace() {
        #expect(" \tgzip \t".trimmingOWS() == "gzip")
        #expect("\u{00A0}x".trimmingOWS() == "\u{00A0}x")
    }

    @Test func fixedWritesExactlyTheDigitsPrintfWould() {
        for (value, digits) in [(0.0, 1), (1.5, 3), (2.345, 2), (0.05, 1), (-0.25, 2), (1234.5678, 0), (0.999, 2)] {
            #expect(value.fixed(digits) == String(format: "%.\(digits)f", value), "\(value) \(digits)")
        }
        #expect(Double.infinity.fixed(2) == "inf")
    }

    @Test func asciiAlphanumerics() {
        #expect("aZ09".unicodeScalars.allSatisfy { $0.isASCIIAlphanumeric })
        #expect(!"é_-".unicodeScalars.contains { $0.isASCIIAlphanumeric })
    }
}

struct ConditionTests {
    @Test func waitUntilTimesOutAndSignalWakesAWaiter() {
        let condition = Condition()
        condition.lock()
        let started = Date()
        #expect(condition.wait(until: started.addingTimeInterval(0.05)) == false)
        condition.unlock()
        #expect(Date().timeIntervalSince(started) >= 0.045)

        nonisolated(unsafe) var ready = false
        let waiter = OwnedThread(name: "cond-test") {
            condition.withLock {
                while !ready { _ = condition.wait(until: Date().addingTimeInterval(10)) }
            }
        }
        condition.withLock {
            ready = true
            condition.signal()
        }
        waiter.join()
        let woke = condition.withLock { ready }
        #expect(woke)
    }
}
