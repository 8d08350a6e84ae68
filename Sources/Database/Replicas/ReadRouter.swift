import Logging
import Metrics
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// Sends catalog reads to streaming replicas and everything else to the primary.
///
/// What decides stock or money (carts, checkout, orders, idempotency) never comes here: those
/// services hold the primary's `Database`. Reads that come here go to a replica that
/// `ReplicaRouting` finds usable (reachable, lag within `--max-replica-lag`), in turn, and to the
/// primary when none is; a read that fails on a replica because the replica is unreachable (or
/// cancelled it for a recovery conflict) is run once more on the primary, and the replica is
/// skipped until the monitor sees it healthy again. On a replica a read waits for a connection at
/// most half of the time its deadline leaves, so the primary always has time to serve it.
public final class ReadRouter: Sendable {
    /// One replica: a name for metrics and logs, and its own `Database` (pool, gate, breaker).
    public struct Replica: Sendable {
        public let name: String
        public let database: Database
        public init(name: String, database: Database) {
            self.name = name
            self.database = database
        }
    }

    public let primary: Database
    public let replicas: [Replica]
    /// How often the monitor reads WAL positions.
    public let probeInterval: Duration
    let routing: Mutex<ReplicaRouting>
    let metrics: ReadRouterMetrics
    /// Reads started per backend: `[0]` the primary, `[i + 1]` replica `i` (a fallback counts on both).
    private let counts: Mutex<[Int]>
    /// Reads that failed on replica `i` and ran again on the primary.
    private let fallbackCounts: Mutex<[Int]>

    public init(primary: Database, replicas: [Replica], routing: ReplicaRouting.Configuration,
                probeInterval: Duration = .milliseconds(250)) {
        self.primary = primary
        self.replicas = replicas
        self.probeInterval = probeInterval
        self.routing = Mutex(ReplicaRouting(replicas: replicas.count, configuration: routing))
        self.metrics = ReadRouterMetrics(replicas: replicas.map(\.name))
        self.counts = Mutex(Array(repeating: 0, count: replicas.count + 1))
        self.fallbackCounts = Mutex(Array(repeating: 0, count: replicas.count))
    }

    /// One backend's state for the dashboard: the primary, or a replica with its lag and whether it
    /// takes reads now (and why not).
    public struct Backend: Sendable, Codable, Equatable {
        public var name: String
        public var role: String
        /// Catalog reads started on it since the store started.
        public var reads: Int
        /// Replica reads that failed there and ran again on the primary.
        public var fallbacks: Int
        /// The replica's last measured lag (nil for the primary, or when unknown).
        public var lagSeconds: Double?
        /// Whether the replica takes reads now (nil for the primary).
        public var usable: Bool?
        /// Why it does not, when it does not.
        public var reason: String?

        enum CodingKeys: String, CodingKey {
            case name, role, reads, fallbacks, lagSeconds = "lag_seconds", usable, reason
        }
    }

    /// The primary and every replica, now.
    public func backends() -> [Backend] {
        let now = ContinuousClock.now
        let reads = counts.withLock { $0 }
        let fallbacks = fallbackCounts.withLock { $0 }
        let (observations, usable, maximumLag) = routing.withLock { routing in
            (routing.observations, replicas.indices.map { routing.usable($0, at: now) }, routing.configuration.maximumLag)
        }
        var backends = [Backend(name: "primary", role: "primary", reads: reads[0], fallbacks: 0, lagSeconds: nil, usable: nil, reason: nil)]
        for (index, replica) in replicas.enumerated() {
            var backend = Backend(name: replica.name, role: "replica", reads: reads[index + 1], fallbacks: fallbacks[index],
                                  lagSeconds: nil, usable: usable[index], reason: nil)
            switch observations[index]?.observation {
            case .lag(let lag)?:
                backend.lagSeconds = Double(lag.milliseconds) / 1000
                if !usable[index] { backend.reason = lag > maximumLag ? "lagging (limit \(maximumLag.milliseconds) ms)" : "no recent lag reading" }
            case .unusable(let why)?:
                backend.reason = why
            case nil:
                backend.reason = "not yet probed"
            }
            backends.append(backend)
        }
        return backends
    }

    /// Catalog reads started on the primary (`replica: nil`) or on replica `replica`.
    public func reads(replica: Int?) -> Int {
        counts.withLock { $0[replica.map { $0 + 1 } ?? 0] }
    }

    /// Runs a catalog read on a usable replica, or on the primary.
    public func read<Result: Sendable>(_ body: (Database) async throws -> Result) async throws -> Result {
        guard !replicas.isEmpty, let index = routing.withLock({ $0.choose(at: .now) }) else {
            metrics.primaryReads.increment()
            counts.withLock { $0[0] += 1 }
            return try await body(primary)
        }
        let replica = replicas[index]
        metrics.replicaReads[index].increment()
        counts.withLock { $0[index + 1] += 1 }
        do {
            // A replica that cannot give a connection (reconnecting after a restart, or saturated)
            // gets half of the time left; the primary keeps the other half for the same read.
            guard var context = QueryContext.current, let remaining = context.remaining else {
                return try await body(replica.database)
            }
            context.leaseWait = min(context.leaseWait ?? remaining, remaining / 2)
            return try await QueryContext.$current.withValue(context) { try await body(replica.database) }
        } catch where Self.isReplicaFailure(error) {
            routing.withLock { $0.observe(replica: index, .unusable("\(error)"), at: .now) }
            metrics.fallbacks[index].increment()
            fallbackCounts.withLock { $0[index] += 1 }
            metrics.usable[index].record(0)
            replica.database.logger.warning("replica read failed: reading from the primary",
                                            metadata: ["replica": "\(replica.name)", "error": "\(String(reflecting: error))"])
            metrics.primaryReads.increment()
            counts.withLock { $0[0] += 1 }
            return try await body(primary)
        }
    }

    /// A catalog change this instance heard of: reads go to the primary until replicas have it.
    public func wrote() {
        guard !replicas.isEmpty else { return }
        routing.withLock { $0.wrote(at: .now) }
    }

    /// Whether replica `index` would take a read now.
    public func isUsable(_ index: Int) -> Bool {
        routing.withLock { $0.usable(index, at: .now) }
    }

    /// Errors after which the same read is worth running on the primary: the replica is gone,
    /// refusing connections, out of connections, or cancelled the statement for a recovery conflict
    /// (SQLSTATE 40001 on a hot standby).
    static func isReplicaFailure(_ error: any Error) -> Bool {
        if CircuitBreaker.isConnectionFailure(error) { return true }
        switch error {
        case is DatabaseUnavailable, is PoolOverloaded: return true
        default: return serverSQLState(error) == "40001"
        }
    }

    /// The replicas' pools and the lag monitor, to run beside the primary's `DatabaseService`.
    public var services: [any Service] {
        replicas.isEmpty ? [] : replicas.map { DatabaseService(database: $0.database) as any Service } + [ReplicaMonitor(router: self)]
    }
}

/// Per-backend counters and gauges (`backend` is `primary` or a replica's name).
struct ReadRouterMetrics: Sendable {
    let primaryReads: Counter
    let replicaReads: [Counter]
    let fallbacks: [Counter]
    let lag: [Gauge]
    let usable: [Gauge]

    init(replicas: [String]) {
        primaryReads = Counter(label: "surge_db_catalog_reads_total", dimensions: [("backend", "primary")])
        replicaReads = replicas.map { Counter(label: "surge_db_catalog_reads_total", dimensions: [("backend", $0)]) }
        fallbacks = replicas.map { Counter(label: "surge_db_replica_fallbacks_total", dimensions: [("backend", $0)]) }
        lag = replicas.map { Gauge(label: "surge_db_replica_lag_seconds", dimensions: [("backend", $0)]) }
        usable = replicas.map { Gauge(label: "surge_db_replica_usable", dimensions: [("backend", $0)]) }
    }
}
