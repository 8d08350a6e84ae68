/// Transaction ids near wraparound: at 2^31 − 3M PostgreSQL stops accepting writes.
enum WraparoundCheck {
    static let limit = 2_147_483_648.0
    /// From this age on PostgreSQL 14+ refuses new transaction ids (xidStopLimit: wraparound less 3M).
    static let stopAge = 2_147_483_648 - 3_000_000

    /// The age from which the doctor names the danger. Autovacuum starts freezing aggressively at
    /// `autovacuum_freeze_max_age`, so twice that means it has been failing for as long again. The
    /// setting goes up to 2 billion, and twice a raised one (1.2 billion is common advice for
    /// insert-heavy databases) lies past the stop itself: the doctor would stay silent up to the
    /// outage. So the danger starts no later than halfway from the setting to the stop.
    static func dangerAge(_ facts: ServerFacts, _ thresholds: Thresholds) -> Int {
        let freezeMaxAge = facts.freezeMaxAge
        return max(thresholds.frozenXIDAge, min(2 * freezeMaxAge, freezeMaxAge + (stopAge - freezeMaxAge) / 2))
    }

    static func check(_ evidence: Evidence, _ thresholds: Thresholds) -> [Finding] {
        let facts = evidence.facts
        guard facts.frozenXIDAge >= dangerAge(facts, thresholds) else { return [] }
        let used = Double(facts.frozenXIDAge) / limit
        let database = facts.oldestFrozenDatabase
        // The oldest table is read in the examined database; another database's is not visible from it.
        let table = database == facts.database ? facts.oldestFrozenTable : nil
        let freeze = if let table {
            "VACUUM (FREEZE, VERBOSE) \(table);  -- in database \(database)"
        } else {
            "VACUUM (FREEZE, VERBOSE);  -- in database \(database), the whole database (run the doctor there to name its oldest table)"
        }
        let oldest = if let table {
            "oldest table: \(table) at age \(facts.oldestFrozenTableAge.map(String.init) ?? "?")"
        } else if database != facts.database {
            "oldest table: not visible from database \(facts.database); examine database \(database)"
        } else {
            "oldest table: ?"
        }
        return [Finding(
            cause: .xidWraparound,
            object: "database \(database)" + (table.map { ", oldest table \($0)" } ?? ""),
            keyEvidence: "age(datfrozenxid) = \(facts.frozenXIDAge), \(Int(used * 100))% of the way to the 2^31 stop; autovacuum_freeze_max_age = \(facts.freezeMaxAge)",
            evidence: [oldest],
            fixes: [
                freeze,
                "first end what holds the horizon or the table's lock: SELECT * FROM pg_prepared_xacts; SELECT slot_name, xmin, catalog_xmin FROM pg_replication_slots; long transactions in pg_stat_activity",
            ],
            impact: 40 + 55 * used,
            confidence: .high
        )]
    }
}
