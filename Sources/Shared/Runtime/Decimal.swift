extension Double {
    /// The value with exactly `digits` decimals, as `printf("%.*f")` writes it: `1.5.fixed(3)` is
    /// `"1.500"`. For log fields and protocol arguments, without Foundation's `String(format:)`.
    public func fixed(_ digits: Int) -> String {
        precondition(digits >= 0 && digits <= 9, "fixed(_:) takes 0 to 9 digits")
        guard isFinite else { return description }
        var scale = 1
        for _ in 0..<digits { scale *= 10 }
        let scaled = (abs(self) * Double(scale)).rounded()
        guard scaled < 9e18 else { return description }
        let units = Int(scaled)
        var text = self < 0 && units != 0 ? "-" : ""
        text += String(units / scale)
        if digits > 0 {
            let fraction = String(units % scale)
            text += "." + String(repeating: "0", count: digits - fraction.count) + fraction
        }
        return text
    }
}
