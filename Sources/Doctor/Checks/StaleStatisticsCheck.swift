import Advisor

/// A hot statement planned on a table whose statistics no longer describe it: the planner's row
/// count is off by 10× from the live rows, or the rows it returns differ 10× from the plan's guess,
/// and many rows changed since the last analyze.
enum StaleStatisticsCheck {
    static let factor = 10.0

    static func check(_ evidence: Evidence, _ thresholds: Thresholds) -> [Finding] {
        var findings: [Finding] = []
        var named: Set<String> = []
        for (delta, share) in HotStatements.select(evidence, thresholds) {
            guard let plan = evidence.plans[delta.queryID] else { continue }
            for node in plan.root.allNodes {
                guard let relation = node.relationName, !named.contains(relation), let table = evidence.table(named: relation) else { continue }
                let live = max(table.liveTuples, 1)
                let believed = max(table.plannerRows, 1)
                let changed = table.modifiedSinceAnalyze
                guard changed >= max(1000, 0.2 * believed) else { continue }
                let tableOff = max(live, believed) / min(live, believed) >= factor && max(live, believed) >= thresholds.largeTableRows
                let rowsPerCall = delta.calls > 0 ? delta.rows / delta.calls : 0
                let rootEstimate = max(plan.root.planRows, 1)
                let resultOff = rowsPerCall >= 1000 && max(rowsPerCall, rootEstimate) / min(max(rowsPerCall, 1), rootEstimate) >= factor
                guard tableOff || resultOff else { continue }
                named.insert(relation)
                let analyzed = table.analyzeAgeSeconds.map { "last analyzed \(Seconds.text($0)) ago" } ?? "never analyzed"
                findings.append(Finding(
                    cause: .staleStatistics,
                    object: "\(table.name) for \"\(Seconds.statement(delta.query, limit: 70))\"",
                    keyEvidence: "planner believes ~\(Int(table.plannerRows)) rows, table has ~\(Int(table.liveTuples)); \(Int(changed)) rows changed since analyze, \(analyzed)",
                    evidence: [
                        "statement: \(Seconds.statement(delta.query, limit: 300))",
                        "\(HotStatements.summary(delta, share: share)); plan expects \(Int(plan.root.planRows)) rows, it returned \(Int(rowsPerCall)) per call",
                    ],
                    fixes: [
                        "ANALYZE \(table.name);",
                        "ALTER TABLE \(table.name) SET (autovacuum_analyze_scale_factor = 0.02);  -- analyze after 2% of rows change, not 10%",
                    ],
                    impact: 35 + 45 * share,
                    confidence: tableOff && resultOff ? .high : .medium
                ))
            }
        }
        return findings
    }
}
