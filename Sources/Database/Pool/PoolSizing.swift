import Logging
import PostgresNIO

/// The default pool size: HikariCP's starting point `(cores × 2) + spindles`, but never more than
/// this instance's fair part of the server's `max_connections` (minus the superuser reserve and a
/// margin for admin sessions), shared by `instances` store processes, less the `dedicated`
/// connections each instance opens beside its pool (the guarded profile's two for cancels and LISTEN,
/// the pipelined reads' one per event loop).
public enum PoolSizing {
    public static func size(cores: Int, spindles: Int = 1, maxConnections: Int, reserved: Int, instances: Int,
                            dedicated: Int = 0) -> Int {
        let usable = max(1, maxConnections - reserved - 5)
        let share = max(1, usable / max(1, instances) - dedicated)
        return max(2, min(cores * 2 + spindles, share))
    }

    /// Makes `configuration` a fixed pool of `connections`: every connection is one of PostgresNIO's
    /// "minimum" connections, so parking it after a statement arms no idle-timeout timer, and no
    /// keep-alive timer is armed either. In PostgresNIO 1.33 each such timer is a task group with two
    /// child tasks, armed when a connection goes idle and cancelled when it is leased again: with both
    /// off, product-page throughput rose 12% (BENCHMARKS.md). Dead connections are still caught:
    /// `DatabaseConnection.ensureOpen` refuses a closed one and `DatabaseService` probes after a failure.
    public static func fixed(_ configuration: inout PostgresClient.Configuration, connections: Int) {
        configuration.options.maximumConnections = connections
        configuration.options.minimumConnections = connections
        configuration.options.keepAliveBehavior = nil
    }

    static let settings: PostgresQuery = """
        SELECT current_setting('max_connections')::int, current_setting('superuser_reserved_connections')::int
        """

    /// Reads `max_connections` and `superuser_reserved_connections` from the server at `url`.
    public static func serverLimits(_ url: DatabaseURL, logger: Logger) async throws -> (maxConnections: Int, reserved: Int) {
        var configuration = url.clientConfiguration()
        configuration.options.maximumConnections = 1
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger.driver)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            let rows = try await client.query(settings, logger: logger).collect()
            guard let row = rows.first else { return (100, 3) }
            let (maxConnections, reserved) = try row.decode((Int, Int).self)
            return (maxConnections, reserved)
        }
    }
}
