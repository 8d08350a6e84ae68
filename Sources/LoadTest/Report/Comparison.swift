import Foundation
import Reports

/// Compares two results phase by phase and says whether a difference is larger than the noise.
///
/// Noise for latency is measured, not assumed: the spread (interquartile range) of the per-window
/// p99s within each run, at least 5% and one histogram resolution step. Error rates use a
/// two-proportion z-test (|z| > 3).
public enum Comparison {
    public enum Change: String, Sendable, Codable {
        case regression, improvement, noChange = "no significant change"
    }

    public struct Row: Sendable {
        public var phase: String
        public var metric: String
        public var before: String
        public var after: String
        public var change: Change
        public var why: String
    }

    public struct Report: Sendable {
        public var rows: [Row]
        public var regressions: Int { rows.filter { $0.change == .regression }.count }

        public func render() -> String {
            var table = TextTable(headers: ["phase", "metric", "before", "after", "verdict", "why"])
            for row in rows { table.append([row.phase, row.metric, row.before, row.after, row.change.rawValue, row.why]) }
            let verdict = regressions > 0 ? "REGRESSION in \(regressions) metric(s)" : "no significant regression"
            return table.render() + "\n" + verdict
        }
    }

    public static let windowSeconds = 5

    public static func compare(_ before: RunResult, _ after: RunResult) -> Report {
        var rows: [Row] = []
        for old in before.phases {
            guard let new = after.phases.first(where: { $0.name == old.name }) else { continue }
            for percentile in [50.0, 99.0] {
                let a = Double(old.latency.percentile(percentile))
                let b = Double(new.latency.percentile(percentile))
                let noise = max(spread(old, percentile), spread(new, percentile), 0.05 * a, 0.002 * max(a, b), 1000)
                let change: Change = b - a > noise ? .regression : (a - b > noise ? .improvement : .noChange)
                rows.append(Row(phase: old.name, metric: "p\(Int(percentile))", before: Format.micros(UInt64(a)), after: Format.micros(UInt64(b)),
                                change: change, why: String(format: "Δ %@%@ vs noise ±%@", b >= a ? "+" : "-", Format.micros(UInt64(abs(b - a))), Format.micros(UInt64(noise)))))
            }
            let z = zScore(failuresA: old.attempts - old.counts.successes, totalA: old.attempts,
                           failuresB: new.attempts - new.counts.successes, totalB: new.attempts)
            let errorChange: Change = z > 3 ? .regression : (z < -3 ? .improvement : .noChange)
            rows.append(Row(phase: old.name, metric: "errors", before: String(format: "%.2f%%", old.errorRate * 100),
                            after: String(format: "%.2f%%", new.errorRate * 100), change: errorChange, why: String(format: "z = %.1f", z)))
            let rateA = old.goodputPerSecond
            let rateB = new.goodputPerSecond
            let rateNoise = max(0.05 * rateA, 1)
            let rateChange: Change = rateA - rateB > rateNoise ? .regression : (rateB - rateA > rateNoise ? .improvement : .noChange)
            rows.append(Row(phase: old.name, metric: "goodput/s", before: String(format: "%.1f", rateA), after: String(format: "%.1f", rateB),
                            change: rateChange, why: "noise ±5%"))
        }
        return Report(rows: rows)
    }

    /// Interquartile range of the p-th percentile over the phase's windows.
    static func spread(_ phase: PhaseResult, _ percentile: Double) -> Double {
        let values = VerdictEvaluator.windowValues(phase.timeline, windowSeconds: windowSeconds, metric: .percentile(percentile))
            .map(\.1).sorted()
        guard values.count >= 4 else { return 0 }
        return values[values.count * 3 / 4] - values[values.count / 4]
    }

    static func zScore(failuresA: Int, totalA: Int, failuresB: Int, totalB: Int) -> Double {
        guard totalA > 0, totalB > 0 else { return 0 }
        let pA = Double(failuresA) / Double(totalA)
        let pB = Double(failuresB) / Double(totalB)
        let pooled = Double(failuresA + failuresB) / Double(totalA + totalB)
        let se = (pooled * (1 - pooled) * (1 / Double(totalA) + 1 / Double(totalB))).squareRoot()
        return se == 0 ? 0 : (pB - pA) / se
    }
}
