/// The causes the doctor can name. The raw values are stable codes (JSON output, scripts).
public enum Cause: String, Sendable, Codable, CaseIterable {
    case blockingChain = "blocking_chain"
    case idleInTransaction = "idle_in_transaction"
    case connectionExhaustion = "connection_exhaustion"
    case missingIndex = "missing_index"
    case staleStatistics = "stale_statistics"
    case cpuSaturation = "cpu_saturation"
    case tempSpill = "temp_spill"
    case autovacuumLag = "autovacuum_lag"
    case checkpointStorm = "checkpoint_storm"
    case xidWraparound = "xid_wraparound"
    case longRunningQuery = "long_running_query"
    case replicationLag = "replication_lag"
    case poolStarvation = "pool_starvation"
    case admissionShedding = "admission_shedding"
    case slowPaymentProvider = "slow_payment_provider"
    case cacheStampede = "cache_stampede"

    /// How the DIAGNOSIS line names it.
    public var title: String {
        switch self {
        case .blockingChain: "blocking chain"
        case .idleInTransaction: "idle in transaction"
        case .connectionExhaustion: "connection exhaustion"
        case .missingIndex: "missing index"
        case .staleStatistics: "stale statistics misestimate"
        case .cpuSaturation: "CPU saturation"
        case .tempSpill: "temp file spill (work_mem)"
        case .autovacuumLag: "autovacuum lag"
        case .checkpointStorm: "checkpoint storm"
        case .xidWraparound: "xid wraparound danger"
        case .longRunningQuery: "long-running query"
        case .replicationLag: "replication lag"
        case .poolStarvation: "pool starvation"
        case .admissionShedding: "admission shedding"
        case .slowPaymentProvider: "slow payment provider"
        case .cacheStampede: "cache stampede"
        }
    }
}
