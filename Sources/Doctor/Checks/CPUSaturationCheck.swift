import Foundation

/// More backends on CPU than the host has cores, most of the time, spent by a few statements.
/// Needs the host's core count: unknown for a remote host, and then the check says so instead.
enum CPUSaturationCheck {
    static func check(_ evidence: Evidence, _ thresholds: Thresholds) -> [Finding] {
        guard let cores = evidence.facts.cores, !evidence.activity.isEmpty else { return [] }
        let onCPU = evidence.activity.map { Double($0.sessions.filter(\.isOnCPU).count) }
        let mean = onCPU.reduce(0, +) / Double(onCPU.count)
        let saturated = Double(onCPU.filter { $0 >= Double(cores) }.count) / Double(onCPU.count)
        guard mean >= Double(cores) * 0.9, mean >= 2, saturated >= 0.5 else { return [] }
        let total = evidence.windowStatementTimeMs
        let top = evidence.statementDeltas.prefix(3)
        let topShare = total > 0 ? top.reduce(0) { $0 + $1.timeMs } / total : 0
        guard let first = top.first, topShare >= 0.6 else { return [] }
        return [Finding(
            cause: .cpuSaturation,
            object: "\(top.count) statement\(top.count == 1 ? "" : "s"), first \"\(Seconds.statement(first.query, limit: 70))\"",
            keyEvidence: String(format: "%.1f backends on CPU on average for %d cores; the top %d statements took %d%% of database time", mean, cores, top.count, Int(topShare * 100)),
            evidence: top.map { "  \(Int(total > 0 ? $0.timeMs / total * 100 : 0))%: \(Int($0.calls)) calls, mean \(Seconds.text($0.meanMs / 1000)): \(Seconds.statement($0.query))" },
            fixes: [
                "make the top statement cheaper first (see any missing-index finding; `surge analyze` for its plan)",
                "cap concurrency near the cores: pool size ≈ 2 × \(cores) over all instances; admission control sheds the rest",
            ],
            impact: 55,
            confidence: .persistence(saturated)
        )]
    }
}
