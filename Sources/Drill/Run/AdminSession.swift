import Database
import Logging
import PostgresNIO

/// The drill's own session on the database: setup, injection and the fix (no statement timeout:
/// CREATE INDEX CONCURRENTLY and the seed take what they take).
/// A fault's held sessions use it too, with one connection and their own application name.
enum AdminSession {
    static func with<T: Sendable>(_ url: DatabaseURL, logger: Logger, connections: Int = 4,
                                  _ body: (Database) async throws -> T) async throws -> T {
        var url = url
        url.applicationName = url.applicationName ?? "surge drill"
        var configuration = url.clientConfiguration(settings: .unbounded)
        configuration.options.minimumConnections = 0
        configuration.options.maximumConnections = connections
        var quiet = logger
        quiet.logLevel = .error
        let client = PostgresClient(configuration: configuration, backgroundLogger: quiet)
        let database = Database(client: client, logger: quiet)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body(database)
        }
    }
}
