import Foundation
import Synchronization
import Testing
import TestSupport
@testable import Runtime

@Suite struct LogTests {
    static let noon = UTCTime(milliseconds: 1_795_857_302_123)  // 2026-11-28T09:15:02.123Z

    func line(_ message: String, logger: LogMetadata = [:], _ event: LogMetadata = [:], level: LogLevel = .info) -> String {
        String(decoding: Log.format(time: Self.noon, level: level, service: "auth-svc", message: message,
                                    metadata: logger, event: event), as: UTF8.self)
    }

    @Test func aLineIsLogfmtWithFieldsInTheOrderGiven() {
        #expect(line("login rejected", ["user.id": "7", "reason": "bad_password"])
            == "ts=2026-11-28T09:15:02.123Z level=info svc=auth-svc msg=\"login rejected\" user.id=7 reason=bad_password")
        #expect(line("stopped", level: .warning) == "ts=2026-11-28T09:15:02.123Z level=warning svc=auth-svc msg=stopped")
    }

    @Test func loggerFieldsComeFirstAndAnEventFieldReplacesOne() {
        #expect(line("x", logger: ["request.id": "r1", "b": "1"], ["request.id": "r2", "a": "2"])
            == "ts=2026-11-28T09:15:02.123Z level=info svc=auth-svc msg=x b=1 request.id=r2 a=2")
    }

    @Test func withKeepsTheOrderAndReplacesKnownKeys() {
        let sink = LogSink.memory()
        let log = Log(service: "s", sink: sink, metadata: ["a": "1"]).with(["b": "2"]).with(["a": "3", "c": "4"])
        log.info("m")
        let captured = sink.captured
        #expect(captured.count == 1)
        #expect(captured.first?.hasSuffix(" svc=s msg=m a=3 b=2 c=4") == true)
    }

    @Test func aDictionaryBecomesSortedFields() {
        let meta = LogMetadata(["z": "1", "a": "2", "m": "3"])
        #expect(meta.fields.map(\.key) == ["a", "m", "z"])
        #expect(meta["m"] == "3")
        #expect(meta["q"] == nil)
    }

    @Test(arguments: [
        ("plain", "plain"),
        ("", "\"\""),
        ("two words", "\"two words\""),
        ("a=b", "\"a=b\""),
        ("say \"hi\"", "\"say \\\"hi\\\"\""),
        ("back\\slash", "\"back\\\\slash\""),
        ("line\nbreak\r\ttab", "\"line\\nbreak\\r\\ttab\""),
        ("esc\u{1B}[31m", "\"esc\\u001b[31m\""),
        ("del\u{7F}", "\"del\\u007f\""),
        ("nul\u{0}", "\"nul\\u0000\""),
        ("grüße→😀", "grüße→😀"),
        ("grüße 😀", "\"grüße 😀\""),
    ])
    func valuesAreQuotedOnlyWhenNeeded(raw: String, written: String) {
        #expect(Log.quote(raw) == written)
        #expect(line(raw, ["k": raw]).hasSuffix("msg=\(written) k=\(written)"))
    }

    @Test func aValueCannotForgeAField() {
        let forged = line("m", ["user": "bob level=error admin=true\nts=x"])
        #expect(forged.hasSuffix("user=\"bob level=error admin=true\\nts=x\""))
        #expect(!forged.contains("\n"))
    }

    @Test func disabledLevelsCostNothing() {
        let sink = LogSink.memory()
        let log = Log(service: "s", level: .info, sink: sink)
        let evaluated = Atomic<Int>(0)
        func expensive() -> String { evaluated.add(1, ordering: .relaxed); return "v" }
        log.debug(expensive(), ["k": expensive()])
        log.trace("t")
        #expect(evaluated.load(ordering: .relaxed) == 0)
        #expect(sink.captured.isEmpty)
        #expect(!log.isEnabled(.debug) && log.isEnabled(.info) && log.isEnabled(.error))
        log.error(expensive(), ["k": expensive()])
        #expect(evaluated.load(ordering: .relaxed) == 2)
        #expect(sink.captured.count == 1)
    }

    @Test func levelsParseFromConfigNames() {
        #expect(LogLevel(name: "WARN") == .warning)
        #expect(LogLevel(name: "Info") == .info)
        #expect(LogLevel(name: "verbose") == nil)
        for level in LogLevel.allCases { #expect(LogLevel(name: level.name) == level) }
    }

    /// Every line is one `write(2)`: lines written from many threads at once come out whole.
    @Test func linesFromManyThreadsNeverInterleave() throws {
        let dir = TempDir()
        let path = dir.file("log")
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        try #require(fd >= 0)
        defer { close(fd) }
        let log = Log(service: "s", sink: .writing(to: fd)).with(["request.id": "abc"])
        let padding = String(repeating: "x", count: 300)
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            for i in 0..<500 { log.info("event", ["thread": "\(thread)", "i": "\(i)", "pad": padding]) }
        }
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.hasSuffix("\n"))
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.count == 8 * 500)
        let pattern = #/^ts=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z level=info svc=s msg=event request\.id=abc thread=\d i=\d+ pad=x{300}$/#
        #expect(lines.allSatisfy { $0.wholeMatch(of: pattern) != nil })
    }
}

@Suite struct UTCTimeTests {
    /// The same fields `gmtime_r` gives, which is what the arithmetic formatter must match.
    func reference(_ ms: Int64) -> String {
        var t = time_t(ms >= 0 ? ms / 1000 : (ms - 999) / 1000)
        var parts = tm()
        gmtime_r(&t, &parts)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
                      Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec),
                      Int((ms % 1000 + 1000) % 1000))
    }

    @Test(arguments: [
        (Int64(0), "1970-01-01T00:00:00.000Z"),
        (-1, "1969-12-31T23:59:59.999Z"),
        (951_782_400_000, "2000-02-29T00:00:00.000Z"),
        (4_107_542_400_000, "2100-03-01T00:00:00.000Z"),
        (1_795_857_302_123, "2026-11-28T09:15:02.123Z"),
        (253_402_300_799_999, "9999-12-31T23:59:59.999Z"),
        (-62_135_596_800_000, "0001-01-01T00:00:00.000Z"),
    ])
    func knownInstants(ms: Int64, text: String) {
        #expect(UTCTime(milliseconds: ms).rfc3339 == text)
        #expect(reference(ms) == text)
    }

    @Test func matchesGmtimeAcrossFourCenturies() {
        var rng = SystemRandomNumberGenerator()
        let span: ClosedRange<Int64> = -6_000_000_000_000...11_000_000_000_000  // 1779 ... 2318
        var samples = (0..<20_000).map { _ in Int64.random(in: span, using: &rng) }
        // Every day boundary of a leap and a century year, plus the millisecond either side.
        for start in [Int64(946_684_800_000), 4_102_444_800_000] {
            for day in Int64(0)...366 { samples += [-1, 0, 1].map { start + day * 86_400_000 + $0 } }
        }
        let wrong = samples.filter { UTCTime(milliseconds: $0).rfc3339 != reference($0) }
        #expect(wrong.isEmpty, "first: \(wrong.first.map { "\($0) \(UTCTime(milliseconds: $0).rfc3339)" } ?? "")")
    }

    @Test func httpDateIsTheIMFFixdate() {
        #expect(UTCTime(milliseconds: 1_795_857_302_123).httpDate == "Sat, 28 Nov 2026 09:15:02 GMT")
    }
}
