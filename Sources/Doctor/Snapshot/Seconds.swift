import Foundation

/// Durations and sizes as the doctor prints them.
enum Seconds {
    /// `850 ms`, `4.2 s`, `35 s`, `12 min`, `3.5 h`.
    static func text(_ seconds: Double) -> String {
        if seconds < 0.001 { return "\(Int((seconds * 1_000_000).rounded())) µs" }
        if seconds < 1 { return "\(Int((seconds * 1000).rounded())) ms" }
        if seconds < 10 { return String(format: "%.1f s", seconds) }
        if seconds < 120 { return "\(Int(seconds.rounded())) s" }
        if seconds < 7200 { return "\(Int((seconds / 60).rounded())) min" }
        return String(format: "%.1f h", seconds / 3600)
    }

    /// `512 kB`, `24 MB`, `1.5 GB`.
    static func bytes(_ bytes: Double) -> String {
        if bytes < 1024 * 1024 { return "\(Int((bytes / 1024).rounded())) kB" }
        if bytes < 1024 * 1024 * 1024 { return "\(Int((bytes / 1024 / 1024).rounded())) MB" }
        return String(format: "%.1f GB", bytes / 1024 / 1024 / 1024)
    }

    /// A statement shortened to one line for a DIAGNOSIS line.
    static func statement(_ sql: String, limit: Int = 90) -> String {
        let line = sql.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
        return line.count <= limit ? line : String(line.prefix(limit - 1)) + "…"
    }
}
