import Foundation

/// The statements that dominate: by total time, by mean time, by calls.
public enum TopStatements {
    /// How many statements each list shows.
    public static let count = 5
    /// A statement using this share of all time is a warning.
    public static let dominantShare = 0.25
    /// A statement this slow on average (ms) is a warning.
    public static let slowMeanMs = 100.0

    public static func check(_ workload: Workload) -> [Finding] {
        let timed = workload.statements.filter { $0.totalTimeMs != nil }
        guard !timed.isEmpty else { return [] }
        let total = max(workload.totalTimeMs, 0.001)
        var findings: [Finding] = []
        for statement in timed.sorted(by: { ($0.totalTimeMs ?? 0) > ($1.totalTimeMs ?? 0) }).prefix(count) {
            let share = (statement.totalTimeMs ?? 0) / total
            findings.append(Finding(
                severity: share >= dominantShare ? .warning : .info, code: "top_total_time", statement: statement.displayText,
                why: String(format: "%.0f%% of all database time: %.1f ms total over %.0f calls", share * 100, statement.totalTimeMs ?? 0, statement.calls),
                fix: "start here: read its plan (surge analyze --analyze) and run surge advise", impactMs: statement.totalTimeMs
            ))
        }
        for statement in timed.sorted(by: { ($0.meanTimeMs ?? 0) > ($1.meanTimeMs ?? 0) }).prefix(count) where (statement.meanTimeMs ?? 0) >= 1 {
            let mean = statement.meanTimeMs ?? 0
            findings.append(Finding(
                severity: mean >= slowMeanMs ? .warning : .info, code: "top_mean_time", statement: statement.displayText,
                why: String(format: "%.1f ms per call on average (%.0f calls)", mean, statement.calls),
                fix: "a slow single call: look for scans and sorts in its plan", impactMs: statement.totalTimeMs
            ))
        }
        for statement in timed.sorted(by: { $0.calls > $1.calls }).prefix(count) {
            findings.append(Finding(
                severity: .info, code: "top_calls", statement: statement.displayText,
                why: String(format: "%.0f calls (%.3f ms each)", statement.calls, statement.meanTimeMs ?? 0),
                fix: "frequent: cache it, batch it (N+1?) or make it a prepared statement", impactMs: statement.totalTimeMs
            ))
        }
        return findings
    }
}
