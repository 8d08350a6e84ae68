import Advisor

/// A hot statement whose generic plan scans a large table sequentially to keep few rows, and an
/// index (the advisor's candidate) that would serve it.
enum MissingIndexCheck {
    static func check(_ evidence: Evidence, _ thresholds: Thresholds) -> [Finding] {
        HotStatements.select(evidence, thresholds).compactMap { delta, share -> Finding? in
            guard let plan = evidence.plans[delta.queryID] else { return nil }
            for node in plan.root.allNodes where node.nodeType == "Seq Scan" {
                guard let relation = node.relationName, let filter = node.filter else { continue }
                let catalogTable = evidence.catalog?.table(named: relation)
                let counters = evidence.table(named: relation)
                // The planner's count when the table was analyzed: n_live_tup can count a bulk load twice
                // (pending counters flushed after ANALYZE reset them; seen on PostgreSQL 15).
                let planner = counters?.plannerRows ?? catalogTable?.estimatedRows ?? 0
                let rows = planner > 0 ? planner : max(catalogTable?.rows ?? 0, counters?.liveTuples ?? 0)
                guard rows >= thresholds.largeTableRows, node.planRows <= rows * 0.05 else { continue }
                guard let index = suggestedIndex(sql: delta.query, relation: relation, catalog: evidence.catalog) else { continue }
                var evidenceLines = [
                    "statement: \(Seconds.statement(delta.query, limit: 300))",
                    "generic plan: Seq Scan on \(relation) (~\(Int(rows)) rows) keeps ~\(Int(node.planRows)) through Filter: \(filter)",
                ]
                var scanned = false
                if let counters, let start = evidence.tableAtStart(counters.oid) {
                    let read = counters.seqTuplesRead - start.seqTuplesRead
                    if read > 0 {
                        scanned = true
                        evidenceLines.append("\(relation): \(Int(counters.seqScans - start.seqScans)) sequential scans read \(Int(read)) rows in the window")
                    }
                }
                return Finding(
                    cause: .missingIndex,
                    object: "\(relation) for \"\(Seconds.statement(delta.query, limit: 70))\"",
                    keyEvidence: "Seq Scan of ~\(Int(rows)) rows per call; \(HotStatements.summary(delta, share: share))",
                    evidence: evidenceLines,
                    fixes: [index + "  -- builds without blocking writes; then ANALYZE \(relation);"],
                    impact: 40 + 50 * share,
                    confidence: scanned && share >= 0.4 ? .high : .medium
                )
            }
            return nil
        }
    }

    /// The advisor's first candidate index for this statement on this table (none when an existing index already serves it).
    static func suggestedIndex(sql: String, relation: String, catalog: Catalog?) -> String? {
        guard let catalog else { return nil }
        let shape = StatementParser.parse(sql)
        for access in CandidateGenerator.accesses(shape, catalog: catalog) where access.table.name == relation {
            if let candidate = CandidateGenerator.candidates(for: access, catalog: catalog).first {
                return candidate.migrationDDL
            }
        }
        return nil
    }
}
