import Database
import Logging
import PostgresNIO

/// Samples PostgreSQL during a step: who is active and what they wait on (pg_stat_activity), and
/// statement time spent (pg_stat_statements, when the extension is installed).
public struct DatabaseSampler: Sendable {
    /// Client backends other than the sampler's own, with their state and wait type.
    static let activitySQL: PostgresQuery = """
        SELECT state, wait_event_type FROM pg_stat_activity
        WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()
        """
    /// Milliseconds of execution of every statement the server has tracked.
    static let statementTimeSQL: PostgresQuery = "SELECT coalesce(sum(total_exec_time), 0)::float8 FROM pg_stat_statements"

    let database: Database

    public init(database: Database) { self.database = database }

    /// One look at pg_stat_activity: active backends, and waiting ones by wait_event_type.
    public func activity() async throws -> (active: Int, waits: [String: Int]) {
        var active = 0
        var waits: [String: Int] = [:]
        for row in try await database.query(Self.activitySQL) {
            let (state, waitType) = try row.decode((String?, String?).self)
            guard state == "active" else { continue }
            active += 1
            if let waitType, waitType != "Client", waitType != "Activity" { waits[waitType, default: 0] += 1 }
        }
        return (active, waits)
    }

    /// Total statement execution seconds so far, or nil without pg_stat_statements.
    public func statementSeconds() async -> Double? {
        guard let row = try? await database.query(Self.statementTimeSQL).first, let milliseconds = try? row.decode(Double.self) else { return nil }
        return milliseconds / 1000
    }

    /// Opens a small pool to `url` for the length of `body`.
    public static func with<T: Sendable>(url: String, logger: Logger, _ body: (DatabaseSampler) async throws -> T) async throws -> T {
        let parsed = try DatabaseURL(url)
        var poolLogger = logger
        poolLogger.logLevel = .error
        var configuration = parsed.clientConfiguration(settings: .init(statementTimeout: .seconds(5)))
        configuration.options.maximumConnections = 2
        let client = PostgresClient(configuration: configuration, backgroundLogger: poolLogger)
        let database = Database(client: client, logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body(DatabaseSampler(database: database))
        }
    }
}
