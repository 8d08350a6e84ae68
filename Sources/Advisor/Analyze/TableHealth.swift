/// Table-level findings: dead tuples that need a VACUUM, statistics that need an ANALYZE.
public enum TableHealth {
    /// Dead tuples are a problem from this count and share up.
    public static let deadTuples: Int64 = 10_000
    public static let deadShare = 0.2
    /// Statistics are stale when this share of the rows changed since the last ANALYZE.
    public static let staleShare = 0.2

    public static func check(_ catalog: Catalog) -> [Finding] {
        var findings: [Finding] = []
        for table in catalog.tables {
            let total = Double(table.liveTuples + table.deadTuples)
            if table.deadTuples >= deadTuples, total > 0, Double(table.deadTuples) / total >= deadShare {
                let share = Int((Double(table.deadTuples) / total * 100).rounded())
                findings.append(Finding(
                    severity: share >= 50 ? .critical : .warning, code: "dead_tuples", table: table.qualifiedName,
                    why: "\(table.deadTuples) dead tuples (\(share)% of the table): scans read them, the table and its indexes bloat",
                    fix: "VACUUM (ANALYZE) \(table.qualifiedName); then lower autovacuum_vacuum_scale_factor for it: ALTER TABLE \(table.qualifiedName) SET (autovacuum_vacuum_scale_factor = 0.05); and look for long transactions holding the horizon"
                ))
            }
            let rows = max(table.rows, Double(table.liveTuples))
            let neverAnalyzed = !table.everAnalyzed && rows >= 1000
            let stale = Double(table.modifiedSinceAnalyze) >= max(1000, staleShare * rows)
            if neverAnalyzed || stale {
                findings.append(Finding(
                    severity: .warning, code: "stale_statistics", table: table.qualifiedName,
                    why: neverAnalyzed
                        ? "\(table.name) has never been analyzed: the planner guesses its size and value distribution"
                        : "\(table.modifiedSinceAnalyze) rows changed since the last ANALYZE of \(table.name) (~\(Int(rows)) rows): estimates drift",
                    fix: "ANALYZE \(table.qualifiedName); and check that autovacuum runs (pg_stat_user_tables.last_autoanalyze)"
                ))
            }
        }
        return findings
    }
}
