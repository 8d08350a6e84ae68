import Database
import Logging
import PostgresNIO

/// Opens the database named by the options for a one-shot command: the explicit URL, or the
/// private server (started for the command and stopped again if this command started it).
enum DatabaseSession {
    static func with<T: Sendable>(
        _ options: DatabaseOptions,
        settings: SessionSettings = .init(statementTimeout: .seconds(600)),
        _ body: (Database) async throws -> T
    ) async throws -> T {
        if let explicit = options.explicitURL {
            return try await connect(DatabaseURL(explicit), settings: settings, body)
        }
        let server = try options.localServer(logger: CLI.logger)
        let started = try await server.start()
        do {
            let result = try await connect(DatabaseURL(server.url()), settings: settings, body)
            if started { try await server.stop() }
            return result
        } catch {
            if started { try? await server.stop() }
            throw error
        }
    }

    static func connect<T: Sendable>(_ url: DatabaseURL, settings: SessionSettings, _ body: (Database) async throws -> T) async throws -> T {
        // A one-shot command's first query can race the pool's start; PostgresNIO warns about that.
        var poolLogger = CLI.logger
        poolLogger.logLevel = .error
        let client = PostgresClient(configuration: url.clientConfiguration(settings: settings), backgroundLogger: poolLogger)
        let database = Database(client: client, logger: CLI.logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body(database)
        }
    }
}
