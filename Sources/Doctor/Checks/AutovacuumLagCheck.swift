/// Tables with more dead rows than autovacuum should have allowed: disabled autovacuum, a
/// horizon held back, or workers that cannot keep up.
enum AutovacuumLagCheck {
    static func check(_ evidence: Evidence, _ thresholds: Thresholds) -> [Finding] {
        // A snapshot (backend_xmin) or an xid of its own (it wrote) both hold the horizon back.
        let holders = evidence.latestActivity.sessions.filter { (($0.xminAge ?? 0) > 0 || $0.wrote) && (($0.transactionSeconds ?? 0) >= 60) }
        return evidence.last.tables.compactMap { table -> Finding? in
            let dead = table.deadTuples
            let share = dead / max(1, dead + table.liveTuples)
            // autovacuum's own trigger (defaults): 50 + 0.2 × rows; twice that means it is behind.
            let due = 2 * (50 + 0.2 * max(table.plannerRows, table.liveTuples))
            guard dead >= thresholds.deadTuples, share >= thresholds.deadShare, dead >= due else { return nil }
            let disabled = table.options.contains { $0.lowercased() == "autovacuum_enabled=false" }
            let vacuumed = table.vacuumAgeSeconds.map { "last vacuum \(Seconds.text($0)) ago" } ?? "never vacuumed"
            var fixes = ["VACUUM (VERBOSE, ANALYZE) \(table.name);"]
            if disabled { fixes.append("ALTER TABLE \(table.name) RESET (autovacuum_enabled);  -- autovacuum is off for this table") }
            else { fixes.append("ALTER TABLE \(table.name) SET (autovacuum_vacuum_scale_factor = 0.05);  -- vacuum after 5% of rows die, not 20%") }
            var lines = ["\(Int(dead)) dead and \(Int(table.liveTuples)) live tuples; \(vacuumed)" + (table.options.isEmpty ? "" : "; options: \(table.options.joined(separator: ", "))")]
            for holder in holders.prefix(3) {
                let depth = holder.xminAge.map { "\($0) transactions back" } ?? "its transaction open \(Seconds.text(holder.transactionSeconds ?? 0))"
                lines.append("vacuum cannot remove rows deleted after the horizon held by \(holder.label): \(depth)")
                fixes.append("SELECT pg_terminate_backend(\(holder.pid));  -- it holds the xmin horizon")
            }
            return Finding(
                cause: .autovacuumLag,
                object: table.name,
                keyEvidence: "\(Int(dead)) dead tuples (\(Int(share * 100))% of the table), \(disabled ? "autovacuum disabled" : vacuumed)",
                evidence: lines,
                fixes: fixes,
                impact: 25 + 20 * share,
                confidence: .high
            )
        }
    }
}
