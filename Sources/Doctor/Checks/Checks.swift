/// Every check, in one list: each a pure function from the evidence to findings.
enum Checks {
    typealias Check = @Sendable (Evidence, Thresholds) -> [Finding]

    static let all: [(name: String, run: Check)] = [
        ("blocking chain", BlockingChainCheck.check),
        ("idle in transaction", IdleInTransactionCheck.check),
        ("connection exhaustion", ConnectionExhaustionCheck.check),
        ("missing index", MissingIndexCheck.check),
        ("stale statistics", StaleStatisticsCheck.check),
        ("CPU saturation", CPUSaturationCheck.check),
        ("temp spill", TempSpillCheck.check),
        ("autovacuum lag", AutovacuumLagCheck.check),
        ("checkpoint storm", CheckpointStormCheck.check),
        ("xid wraparound", WraparoundCheck.check),
        ("long-running query", LongRunningQueryCheck.check),
        ("replication lag", ReplicationLagCheck.check),
        ("pool starvation", PoolStarvationCheck.check),
        ("admission shedding", AdmissionSheddingCheck.check),
        ("slow payment provider", SlowPaymentProviderCheck.check),
        ("cache stampede", CacheStampedeCheck.check),
    ]
}
