import Database
import Logging
import PostgresNIO

/// A fault a drill injects through real means (SQL, sessions, settings, the store's payment simulator)
/// and removes again.
protocol Fault: Sendable {
    /// Puts the fault in; returns what was done, for the timeline (the SQL, the sessions and their pids).
    func inject(_ context: FaultContext) async throws -> String
    /// Takes it out again (idempotent: safe after the fix already removed it); returns what was done.
    func remove(_ context: FaultContext) async throws -> String
}

/// What a fault can reach: the database (an admin session with no timeouts), the store's payment
/// simulator, and the private server.
struct FaultContext: Sendable {
    var url: DatabaseURL
    var admin: Database
    var payment: PaymentDial
    /// Stops and starts the private PostgreSQL (nil against a deployment the user owns).
    var restartServer: (@Sendable (Duration) async throws -> Void)?
    /// The scale-out drills' cluster (nil otherwise).
    var cluster: DrillCluster?
    var products: Int
    var logger: Logger

    /// A URL whose sessions show `application` in pg_stat_activity.
    func url(application: String) -> DatabaseURL {
        var url = url
        url.applicationName = application
        return url
    }
}

extension Fault {
    /// The backend pid of a session on `connection`.
    static func backendPID(_ connection: DatabaseConnection) async throws -> Int {
        try await connection.query("SELECT pg_backend_pid()").first?.decode(Int.self) ?? 0
    }
}

/// The fault of each drill.
extension DrillName {
    func makeFault() -> any Fault {
        switch self {
        case .postmortem: MissingIndexFault()
        case .lockChain: LockChainFault()
        case .connectionLeak: ConnectionLeakFault()
        case .idleInTransaction: IdleInTransactionFault()
        case .slowPayment: SlowPaymentFault()
        case .cacheStampede: CacheStampedeFault()
        case .postgresRestart: RestartFault()
        case .instanceDies: InstanceDeathFault()
        case .replicaLag: ReplicaLagFault()
        }
    }
}
