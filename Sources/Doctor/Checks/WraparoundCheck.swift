/// Transaction ids near wraparound: at 2^31 − 3M PostgreSQL stops accepting writes.
enum WraparoundCheck {
    static let limit = 2_147_483_648.0

    static func check(_ evidence: Evidence, _ thresholds: Thresholds) -> [Finding] {
        let facts = evidence.facts
        let threshold = max(thresholds.frozenXIDAge, 2 * facts.freezeMaxAge)
        guard facts.frozenXIDAge >= threshold else { return [] }
        let used = Double(facts.frozenXIDAge) / limit
        let table = facts.oldestFrozenTable
        return [Finding(
            cause: .xidWraparound,
            object: "database \(facts.oldestFrozenDatabase)" + (table.map { ", oldest table \($0)" } ?? ""),
            keyEvidence: "age(datfrozenxid) = \(facts.frozenXIDAge), \(Int(used * 100))% of the way to the 2^31 stop; autovacuum_freeze_max_age = \(facts.freezeMaxAge)",
            evidence: ["oldest table: \(table ?? "?") at age \(facts.oldestFrozenTableAge.map(String.init) ?? "?")"],
            fixes: [
                "VACUUM (FREEZE, VERBOSE) \(table ?? "<oldest table>");  -- in database \(facts.oldestFrozenDatabase)",
                "first end what holds the horizon: SELECT * FROM pg_prepared_xacts; SELECT slot_name, xmin, catalog_xmin FROM pg_replication_slots; long transactions in pg_stat_activity",
            ],
            impact: 40 + 55 * used,
            confidence: .high
        )]
    }
}
