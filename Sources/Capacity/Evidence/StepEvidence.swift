/// What was seen of the server's resources during one step; each part is nil when not collected.
public struct StepEvidence: Sendable, Equatable, Codable {
    /// Mean PostgreSQL backends in state `active` (pg_stat_activity, excluding the sampler).
    public var activeBackends: Double?
    /// Mean backends waiting, by wait_event_type (Lock, LWLock, IO, Client, …).
    public var waitEvents: [String: Double]?
    /// Seconds of statement execution per wall second (pg_stat_statements total_exec_time delta).
    public var databaseSecondsPerSecond: Double?
    /// Highest surge_db_pool_waiters seen in the store's /metrics.
    public var poolWaiters: Double?
    /// Mean connections the store's pool had leased (surge_db_pool_connections{state="in_use"}), and its size.
    public var poolInUse: Double?
    public var poolCapacity: Double?
    /// Increase of surge_admission_rejected_total over the step.
    public var admissionRejected: Double?
    /// Highest surge_pg_lock_waits seen in the store's /metrics.
    public var lockWaits: Double?
    /// Cores used by local processes, by command name (`postgres`, `surge`), /proc.
    public var processCores: [String: Double]?
    /// Cores busy on this host, all processes (the generator included), /proc/stat.
    public var hostBusyCores: Double?
    /// Cores online on this host.
    public var hostCores: Int?

    public init(activeBackends: Double? = nil, waitEvents: [String: Double]? = nil, databaseSecondsPerSecond: Double? = nil,
                poolWaiters: Double? = nil, admissionRejected: Double? = nil, lockWaits: Double? = nil,
                processCores: [String: Double]? = nil, hostBusyCores: Double? = nil, hostCores: Int? = nil) {
        self.activeBackends = activeBackends
        self.waitEvents = waitEvents
        self.databaseSecondsPerSecond = databaseSecondsPerSecond
        self.poolWaiters = poolWaiters
        self.admissionRejected = admissionRejected
        self.lockWaits = lockWaits
        self.processCores = processCores
        self.hostBusyCores = hostBusyCores
        self.hostCores = hostCores
    }
}
