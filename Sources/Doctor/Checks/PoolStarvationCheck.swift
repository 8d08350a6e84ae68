/// The store's requests wait for a pool connection (`surge_db_pool_*`).
enum PoolStarvationCheck {
    static func check(_ evidence: Evidence, _ thresholds: Thresholds) -> [Finding] {
        guard let store = StoreWindow(evidence) else { return [] }
        let waits = store.delta("surge_db_pool_acquire_wait_seconds_count")
        guard let meanWait = store.mean("surge_db_pool_acquire_wait_seconds"), waits >= 10, meanWait >= 0.05 else { return [] }
        let capacity = store.gauge("surge_db_pool_max_connections") ?? 0
        let waiters = store.gauge("surge_db_pool_waiters") ?? 0
        let failures = store.delta("surge_db_pool_acquire_failures_total")
        let peak = evidence.activity.map(\.sessions.count).max() ?? 0
        let headroom = Double(peak) < Double(evidence.facts.usableConnections) * 0.7
        return [Finding(
            cause: .poolStarvation,
            object: "the store's connection pool (\(Int(capacity)) connections)",
            keyEvidence: "mean acquire wait \(Seconds.text(meanWait)) over \(Int(waits)) leases, \(Int(waiters)) waiting now, \(Int(failures)) gave up",
            evidence: ["database connections at peak: \(peak) of \(evidence.facts.usableConnections) usable"],
            fixes: headroom
                ? ["raise the store's pool (surge serve --pool-size \(Int(capacity) * 2)): PostgreSQL has room for more connections", "or find why each lease is held long (the slowest statements above)"]
                : ["do not raise the pool: PostgreSQL is near max_connections; make the statements held on each lease faster"],
            impact: 50,
            confidence: waiters > 0 ? .high : .medium
        )]
    }
}
