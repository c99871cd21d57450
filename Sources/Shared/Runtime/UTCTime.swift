import Glibc

/// A point in time with millisecond precision, formatted as the API's RFC 3339 UTC string.
public struct UTCTime: Sendable, Hashable, Comparable {
    /// Milliseconds since the Unix epoch.
    public var milliseconds: Int64

    public init(milliseconds: Int64) { self.milliseconds = milliseconds }

    public static func now() -> UTCTime {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return UTCTime(milliseconds: Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000)
    }

    public var seconds: Int64 { milliseconds / 1000 }

    public func adding(seconds: Int64) -> UTCTime { UTCTime(milliseconds: milliseconds + seconds * 1000) }

    /// `2026-11-28T09:15:02.123Z`
    public var rfc3339: String {
        var out: [UInt8] = []
        out.reserveCapacity(24)
        appendRFC3339(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the `rfc3339` form to `out` with integer arithmetic only: no `gmtime_r`, no
    /// intermediate strings. Log lines call this once each, so it has to be cheap.
    public func appendRFC3339(to out: inout [UInt8]) {
        let seconds = floorDiv(milliseconds, 1000)
        let days = floorDiv(seconds, 86_400)
        let secondOfDay = Int(seconds - days * 86_400)
        let (year, month, day) = civil(days: days)
        if (0...9999).contains(year) {
            appendDigits(year / 100, to: &out)
            appendDigits(year % 100, to: &out)
        } else {
            out.append(contentsOf: pad(Int(year), 4).utf8)
        }
        out.append(0x2D)
        appendDigits(month, to: &out)
        out.append(0x2D)
        appendDigits(day, to: &out)
        out.append(0x54)
        appendDigits(secondOfDay / 3600, to: &out)
        out.append(0x3A)
        appendDigits(secondOfDay / 60 % 60, to: &out)
        out.append(0x3A)
        appendDigits(secondOfDay % 60, to: &out)
        out.append(0x2E)
        let ms = Int(milliseconds - seconds * 1000)
        out.append(0x30 + UInt8(ms / 100))
        appendDigits(ms % 100, to: &out)
        out.append(0x5A)
    }

    /// The IMF-fixdate of RFC 9110 §5.6.7, for `Date:` headers: `Sat, 28 Nov 2026 09:15:02 GMT`.
    public var httpDate: String {
        var t = time_t(seconds)
        var parts = tm()
        gmtime_r(&t, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        return days[Int(parts.tm_wday)] + ", " + pad(Int(parts.tm_mday), 2) + " " + months[Int(parts.tm_mon)] + " "
            + pad(Int(parts.tm_year) + 1900, 4) + " " + pad(Int(parts.tm_hour), 2) + ":" + pad(Int(parts.tm_min), 2) + ":"
            + pad(Int(parts.tm_sec), 2) + " GMT"
    }

    public static func < (a: UTCTime, b: UTCTime) -> Bool { a.milliseconds < b.milliseconds }

}

/// The proleptic Gregorian date of a day number (0 = 1970-01-01), after Howard Hinnant's
/// `civil_from_days` (howardhinnant.github.io/date_algorithms.html): what `gmtime_r` computes,
/// without the call.
private func civil(days: Int64) -> (year: Int, month: Int, day: Int) {
    let z = days + 719_468
    let era = floorDiv(z, 146_097)
    let dayOfEra = z - era * 146_097                                                   // [0, 146096]
    let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365  // [0, 399]
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)   // [0, 365], from March 1
    let mp = (5 * dayOfYear + 2) / 153                                                  // [0, 11]
    let day = Int(dayOfYear - (153 * mp + 2) / 5 + 1)
    let month = Int(mp < 10 ? mp + 3 : mp - 9)
    return (Int(yearOfEra + era * 400) + (month <= 2 ? 1 : 0), month, day)
}

/// Division rounding toward minus infinity, for times before 1970 (`b` > 0).
private func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return a % b < 0 ? q - 1 : q
}

/// Two decimal digits of `value` (0...99).
private func appendDigits(_ value: Int, to out: inout [UInt8]) {
    out.append(0x30 + UInt8(value / 10))
    out.append(0x30 + UInt8(value % 10))
}

private func pad(_ value: Int, _ width: Int) -> String {
    let s = String(value)
    return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
}

/// Monotonic time in nanoseconds, for timeouts and durations (never for timestamps).
public func monotonicNanoseconds() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}
