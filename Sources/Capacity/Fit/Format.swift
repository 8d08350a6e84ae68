import Foundation

/// Number formatting for capacity reports: thousands separators, a few significant digits.
enum Format {
    /// 3,900 / 96.5 / 0.0277: grouped thousands for large values, three significant digits for small ones.
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return value > 0 ? "∞" : "n/a" }
        let magnitude = abs(value)
        if magnitude < 5e-9 { return "0" }
        if magnitude >= 999.5 { return grouped(value.rounded()) }
        if magnitude >= 99.95 || value == value.rounded() { return String(format: "%.0f", value) }
        if magnitude >= 1 { return String(format: "%.1f", value) }
        return String(format: "%.3g", value)
    }

    static func grouped(_ value: Double) -> String {
        let digits = String(Int(abs(value)))
        var out = ""
        for (index, character) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out += "," }
            out.append(character)
        }
        return (value < 0 ? "-" : "") + out
    }

    static func percent(_ share: Double) -> String { String(format: "%.0f%%", share * 100) }

    static func seconds(_ value: Double) -> String {
        if value >= 1 { return String(format: "%.2f s", value) }
        if value >= 0.001 { return String(format: "%.1f ms", value * 1000) }
        return String(format: "%.0f µs", value * 1_000_000)
    }
}
