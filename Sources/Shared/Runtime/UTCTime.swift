import Foundation

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
        var t = time_t(milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000)
        let ms = Int((milliseconds % 1000 + 1000) % 1000)
        var parts = tm()
        gmtime_r(&t, &parts)
        return pad(Int(parts.tm_year) + 1900, 4) + "-" + pad(Int(parts.tm_mon) + 1, 2) + "-" + pad(Int(parts.tm_mday), 2)
            + "T" + pad(Int(parts.tm_hour), 2) + ":" + pad(Int(parts.tm_min), 2) + ":" + pad(Int(parts.tm_sec), 2)
            + "." + pad(ms, 3) + "Z"
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
