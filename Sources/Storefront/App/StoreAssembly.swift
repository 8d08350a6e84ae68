import Database
import Foundation
import Guard
import Hummingbird
import Logging
import PostgresNIO
import ServiceLifecycle
import Telemetry

/// Where the store's data lives and how it reaches it: the primary, its replicas, the pool.
public struct StoreDeployment: Sendable {
    /// The primary (or the PgBouncer in front of it): everything that decides stock or money.
    public var primary: DatabaseURL
    /// Streaming replicas for catalog reads (none: every read on the primary).
    public var replicas: [DatabaseURL] = []
    /// A replica further behind than this is skipped.
    public var maximumReplicaLag: Duration = .seconds(1)
    /// The most connections this instance opens; `nil` sizes it (`PoolSizing.size`, or the profile's fixed size).
    public var poolSize: Int?
    /// Store instances sharing the database, to divide `max_connections` between them.
    public var instances = 1
    /// Connections each instance opens beside its pool for monitoring (the in-store doctor).
    public var monitoringConnections = 0
    /// Whether `primary` is a transaction pooler (PgBouncer in transaction mode); `nil` detects it
    /// (`TransactionPooler.detect`), unless the URL says (`?pgbouncer=true`).
    public var transactionPooler: Bool?
    /// A session connection to the primary (direct, or a PgBouncer database in session mode), for
    /// what a transaction pooler cannot carry: LISTEN/NOTIFY, the migrations' lock and the pipelined
    /// reads' named statements. `nil`: the primary URL (right unless it is a transaction pooler).
    public var session: DatabaseURL?
    /// Product pages pipelined on one dedicated connection per event loop (`StatementPipeline`).
    public var pipelinedReads = true
    /// How the store behaves (profile, listening address, checkout).
    public var store: StoreConfiguration

    public init(primary: DatabaseURL, store: StoreConfiguration) {
        self.primary = primary
        self.store = store
    }
}

/// Builds the store from a `StoreDeployment` and its profile's `ProfileSettings`: pool sizing, the
/// primary's `Database` with the collaborators the profile turns on, the replicas' read router, and
/// the runnable application. The CLI parses and prints; this is where the parts are put together.
public struct StoreAssembly: Sendable {
    public let deployment: StoreDeployment
    /// The primary's query path.
    public let database: Database
    /// Catalog reads to replicas; `nil` without replicas.
    public let reads: ReadRouter?
    /// Connections the primary's pool leases (beyond them: the guarded profile's two for cancels and LISTEN).
    public let poolSize: Int
    /// Connections the statement pipeline keeps (0 when off).
    public let pipelinedConnections: Int
    /// Whether the primary's pool goes through a transaction pooler.
    public let transactionPooler: Bool
    /// The session connection for LISTEN behind a transaction pooler; `nil` when the pool can carry it.
    public let session: Database?
    /// Which instance runs the background jobs (an advisory lock on a session of its own).
    public let leadership: Leadership

    /// Sizes the pool (reading `max_connections` from the primary when it must) and builds the
    /// databases. Call after `MetricsSystem.bootstrap`: the pipeline and router make their metrics here.
    public static func assemble(_ deployment: StoreDeployment, observers: [any QueryObserver] = [],
                                poolObserver: (any PoolObserver)? = nil, logger: Logger) async throws -> StoreAssembly {
        let baseProfile = deployment.store.profile.settings
        var profile = baseProfile
        let url = deployment.primary
        let pooled: Bool
        if let said = deployment.transactionPooler ?? url.transactionPooler {
            pooled = said
        } else {
            pooled = try await TransactionPooler.detect(url, logger: logger)
        }
        let sessionURL = deployment.session ?? (pooled ? nil : url)
        let sessionSettings = profile.session
        func replicaProfile(_ pooled: Bool) -> ProfileSettings {
            var replica = baseProfile
            if pooled { (replica.session, replica.cancelAtDeadline) = (.unbounded, false) }
            return replica
        }
        if pooled {
            // What a transaction pooler changes (docs/scaling.md): startup parameters never reach the
            // server (its timeouts come from pgbouncer.ini's connect_query or the role), and a backend's
            // pid says nothing about which server connection runs the next statement, so a deadline is
            // enforced by `SET LOCAL` in transactions and by abandoning the wait, never `pg_cancel_backend`.
            profile.session = .unbounded
            profile.cancelAtDeadline = false
        }
        // The pipeline prepares named statements on long-lived connections: a session's, never a transaction pooler's.
        let pipelineURL = deployment.pipelinedReads ? sessionURL : nil
        let pipelineConfiguration = pipelineURL.map {
            StatementPipeline.Configuration(url: $0, settings: sessionSettings, statements: CatalogService.pipelinedStatements)
        }
        let pipelinedConnections = pipelineConfiguration?.connections ?? 0
        // Beside the pool: cancels and LISTEN (guarded), the pipeline, and the leadership session.
        let dedicated = (profile.connectionGate ? 2 : 0) + pipelinedConnections + 1 + deployment.monitoringConnections
        let poolSize: Int
        if let explicit = deployment.poolSize ?? profile.fixedPoolSize {
            poolSize = explicit
        } else {
            let limits = try await PoolSizing.serverLimits(url, logger: logger)
            poolSize = PoolSizing.size(cores: ProcessInfo.processInfo.activeProcessorCount, maxConnections: limits.maxConnections,
                                       reserved: limits.reserved, instances: deployment.instances, dedicated: dedicated)
        }
        let pipeline = pipelineConfiguration.map { StatementPipeline($0, logger: logger) }
        let database = makeDatabase(url, profile: profile, poolSize: poolSize, observers: observers,
                                    poolObserver: poolObserver, pipeline: pipeline, transactionPooler: pooled, logger: logger)
        var session: Database? = nil
        if pooled {
            guard let sessionURL else { throw StoreAssemblyError.noSessionURL }
            var sessionProfile = deployment.store.profile.settings
            sessionProfile.connectionGate = false
            session = makeDatabase(sessionURL, profile: sessionProfile, poolSize: 1, observers: [], poolObserver: nil,
                                   pipeline: nil, transactionPooler: false, logger: logger)
        }
        var reads: ReadRouter? = nil
        if !deployment.replicas.isEmpty {
            // A replica takes only catalog reads: the same pool size is plenty, and its breaker and
            // recovery let the router skip it while it is down and use it again once it is back.
            // Product pages pipelined there too, as on the primary (a replica reached through a transaction
            // pooler reads through the pool): through the pool a page cost the store ~10x the CPU
            // (BENCHMARKS.md, "Scale-out").
            let replicas = deployment.replicas.enumerated().map { index, replicaURL in
                let replicaPooled = replicaURL.transactionPooler ?? false
                let replicaPipeline = deployment.pipelinedReads && !replicaPooled
                    ? StatementPipeline(.init(url: replicaURL, settings: sessionSettings, statements: CatalogService.pipelinedStatements), logger: logger)
                    : nil
                return ReadRouter.Replica(name: "replica-\(index + 1)",
                                          database: makeDatabase(replicaURL, profile: replicaProfile(replicaPooled),
                                                                 poolSize: poolSize, observers: observers, poolObserver: nil, pipeline: replicaPipeline,
                                                                 transactionPooler: replicaPooled, logger: logger))
            }
            reads = ReadRouter(primary: database, replicas: replicas,
                               routing: .init(maximumLag: deployment.maximumReplicaLag))
        }
        return StoreAssembly(deployment: deployment, database: database, reads: reads, poolSize: poolSize,
                             pipelinedConnections: pipelinedConnections, transactionPooler: pooled, session: session,
                             leadership: Leadership(url: sessionURL ?? url, logger: logger))
    }

    /// One server's `Database`: a pool of `poolSize` (fixed when the profile has a breaker) (plus two beyond the gate for cancels and
    /// LISTEN when the profile bounds leases), with the profile's gate, deadline cancels and recovery.
    static func makeDatabase(_ url: DatabaseURL, profile: ProfileSettings, poolSize: Int, observers: [any QueryObserver],
                             poolObserver: (any PoolObserver)?, pipeline: StatementPipeline?, transactionPooler: Bool,
                             logger: Logger) -> Database {
        var clientConfiguration = url.clientConfiguration(settings: profile.session)
        let connections = profile.connectionGate ? poolSize + 2 : poolSize
        // Behind PgBouncer too: a restart of PgBouncer drops every connection while its port answers at
        // once, and the fixed pool trapped the same way (seen in ClusterResilienceTests).
        if profile.recovery && !transactionPooler {
            PoolSizing.fixed(&clientConfiguration, connections: connections)
        } else {
            // PostgresNIO's own behaviour (no minimum): its pool stops the process when a lease finds
            // fewer live connections than its minimum while the server restarts
            // (`createNewDemandConnectionIfPossible`'s precondition; seen in Benchmarks/burst.sh). A fixed
            // pool (minimum = maximum, no idle timer per lease) is only for a profile whose circuit
            // breaker refuses leases during an outage.
            clientConfiguration.options.maximumConnections = connections
        }
        let client = PostgresClient(configuration: clientConfiguration, backgroundLogger: logger.driver)
        // Admission bounds how many requests run; the gate bounds leases. Its waiting line must hold
        // everything admission lets in (a flash sale's burst), and an admitted buyer waits for a
        // connection up to its request's deadline (checkout 10 s), not a fixed second: otherwise
        // the gate refuses what admission let in.
        let gate = profile.connectionGate
            ? ConnectionGate(.init(permits: poolSize, maximumWaiters: max(2 * poolSize, AdmissionLimiter.Configuration().limit.maximumLimit),
                                   maximumWait: RouteClass.checkout.deadline))
            : nil
        return Database(client: client, observers: observers, logger: logger, gate: gate,
                        cancelAtDeadline: profile.cancelAtDeadline,
                        recovery: profile.recovery ? RecoveryConfiguration(client: clientConfiguration) : nil,
                        poolObserver: poolObserver, poolCapacity: poolSize, pipeline: pipeline, transactionPooler: transactionPooler)
    }

    /// The runnable store: the HTTP server, the primary's pool, the replicas' pools and lag monitor,
    /// and the background services.
    public func application(telemetry: Telemetry?, logger: Logger, gateway: (any PaymentGateway)? = nil,
                            services extra: [any Service] = [],
                            onRunning: @escaping @Sendable (Int) async -> Void = { _ in })
        -> Application<RouterResponder<StoreRequestContext>> {
        StoreApplication.make(database: database, reads: reads, listen: session, leadership: leadership,
                              configuration: deployment.store, logger: logger, telemetry: telemetry, gateway: gateway,
                              services: (session.map { [DatabaseService(database: $0)] } ?? []) + (reads?.services ?? []) + [leadership] + extra,
                              onRunning: onRunning)
    }
}

/// A deployment the store cannot run as given; the message says what to add.
public enum StoreAssemblyError: Error, CustomStringConvertible {
    case noSessionURL

    public var description: String {
        switch self {
        case .noSessionURL:
            "the database URL is a transaction pooler (PgBouncer), which cannot carry LISTEN/NOTIFY: give a session connection "
                + "to the primary with --session-url (direct, or a PgBouncer database with pool_mode=session)"
        }
    }
}
