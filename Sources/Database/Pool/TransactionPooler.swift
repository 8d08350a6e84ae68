import Logging
import PostgresNIO

/// Finds out whether a URL leads to PostgreSQL through a transaction pooler (PgBouncer).
///
/// PgBouncer does not pass a client's startup parameters on: it refuses them ("unsupported startup
/// parameter", unless listed in `ignore_startup_parameters`) or drops them. So one connection is
/// opened with a `statement_timeout` no configuration would choose, and the server is asked what it
/// has: PostgreSQL itself always applies it.
public enum TransactionPooler {
    static let marker: Duration = .milliseconds(4321)
    static let setting: PostgresQuery = "SELECT current_setting('statement_timeout')"

    /// `true` when the startup parameter did not reach the server.
    public static func detect(_ url: DatabaseURL, logger: Logger) async throws -> Bool {
        var configuration = url.clientConfiguration(settings: .init(statementTimeout: marker, lockTimeout: nil, idleInTransactionTimeout: nil))
        configuration.options.maximumConnections = 1
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger.driver)
        do {
            return try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await client.run() }
                defer { group.cancelAll() }
                let value = try await client.query(setting, logger: logger).collect().first?.decode(String.self)
                return value != "\(marker.milliseconds)ms"
            }
        } catch let error as PSQLError where (error.serverInfo?[.message] ?? "").contains("unsupported startup parameter") {
            throw TransactionPoolerError.refusesStartupParameters(error.serverInfo?[.message] ?? "")
        }
    }
}

/// A pooler in front of PostgreSQL that the store cannot use as configured.
public enum TransactionPoolerError: Error, CustomStringConvertible {
    case refusesStartupParameters(String)

    public var description: String {
        switch self {
        case .refusesStartupParameters(let message):
            "the database URL leads to a pooler that refuses PostgreSQL's startup parameters (\(message)): add "
                + "ignore_startup_parameters = extra_float_digits,statement_timeout,lock_timeout,idle_in_transaction_session_timeout "
                + "to pgbouncer.ini (deploy/pgbouncer/pgbouncer.ini), or run with --pgbouncer"
        }
    }
}
