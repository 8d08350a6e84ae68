import Database
import Foundation
import Logging
import PostgresNIO

/// One private PostgreSQL server per test process, started by the same code as `surge serve`'s
/// zero-config mode, in a temporary directory, and a fresh database per test cloned from a
/// migrated template so tests run in parallel without sharing state.
public enum TestPostgres {
    /// The server's admin URL (database `postgres`).
    public static func serverURL() async throws -> DatabaseURL {
        try await shared.value
    }

    private static let shared = Task<DatabaseURL, any Error> { try await server.value.url }

    /// With `SURGE_TEST_PGBOUNCER=1`, the suites that drive the store (`StoreHarness`) run it through a
    /// PgBouncer in transaction pooling mode in front of the test server: the whole API through
    /// Debian's pgbouncer 1.18 (README's third test process).
    public static var throughPgBouncer: Bool { ProcessInfo.processInfo.environment["SURGE_TEST_PGBOUNCER"] == "1" }

    /// The transaction-pooled URL (through the test server's PgBouncer, started on first use) of `url`'s database.
    public static func pooledURL(_ url: DatabaseURL) async throws -> DatabaseURL {
        var pooled = url
        pooled.port = try await bouncer.value.port
        pooled.transactionPooler = true
        return pooled
    }

    private static let bouncer = Task<LocalPgBouncer, any Error> {
        let postgres = try await Self.server.value.server
        let bouncer = LocalPgBouncer(directory: postgres.dataDirectory + "/../pgbouncer", port: try LocalPostgres.pickPort(),
                                     server: postgres, poolSize: 10)
        try await bouncer.start()
        try bouncer.stopWhenProcessExits()
        return bouncer
    }

    private static let server = Task<(server: LocalPostgres, url: DatabaseURL), any Error> {
        var logger = Logger(label: "surge.tests.postgres")
        logger.logLevel = .warning
        let directory = NSTemporaryDirectory() + "surge-tests-\(getpid())"
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        _ = chmod(directory, 0o755)
        let server = try LocalPostgres(
            configuration: .init(
                dataDirectory: directory + "/data",
                port: try LocalPostgres.pickPort(),
                databaseName: "postgres",
                // Tests need no durability; this makes CREATE DATABASE and commits much cheaper.
                extraSettings: ["fsync = off", "synchronous_commit = off", "full_page_writes = off", "max_connections = 1000"]
            ),
            logger: logger
        )
        try await server.start()
        try server.stopWhenProcessExits(removing: directory)
        let url = try DatabaseURL(server.url())
        try await createTemplate(url, logger: logger)
        return (server, url)
    }

    static let templateName = "surge_template"

    struct TestDatabaseError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    private static func createTemplate(_ url: DatabaseURL, logger: Logger) async throws {
        try await withDatabase(url) { database in
            try await database.query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
            try await database.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(templateName)"))
        }
        try await withDatabase(url.with(database: templateName)) { database in
            try await Migrator().migrate(database)
        }
    }

    /// A new, migrated, empty database for one test; dropped when `body` returns.
    public static func withFreshDatabase<T: Sendable>(
        observers: [any QueryObserver] = [],
        pipeline: [PipelinedStatement]? = nil,
        _ body: (Database, DatabaseURL) async throws -> T
    ) async throws -> T {
        let server = try await serverURL()
        let name = "test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        do {
            // FILE_COPY copies the template's files instead of WAL-logging every page: much faster here.
            try await withDatabase(server, settings: .unbounded) { admin in
                try await admin.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name) TEMPLATE \(templateName) STRATEGY = FILE_COPY"))
            }
        } catch {
            throw TestDatabaseError(message: "CREATE DATABASE failed: \(String(reflecting: error))")
        }
        let url = server.with(database: name)
        do {
            let result = try await withDatabase(url, observers: observers, pipeline: pipeline) { try await body($0, url) }
            try await dropDatabase(name, server: server)
            return result
        } catch {
            try? await dropDatabase(name, server: server)
            throw error
        }
    }

    private static func dropDatabase(_ name: String, server: DatabaseURL) async throws {
        try await withDatabase(server, settings: .unbounded) { admin in
            try await admin.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"))
        }
    }

    /// Runs `body` with a pooled `Database` on `url`, shutting the pool down afterwards. With
    /// `pipeline`, the database also pipelines those statements (`StatementPipeline`, one connection
    /// per event loop of the singleton group), and `body` starts once every connection is ready.
    @discardableResult
    public static func withDatabase<T: Sendable>(
        _ url: DatabaseURL,
        observers: [any QueryObserver] = [],
        settings: SessionSettings = .init(),
        pipeline statements: [PipelinedStatement]? = nil,
        _ body: (Database) async throws -> T
    ) async throws -> T {
        var logger = Logger(label: "surge.tests.db")
        logger.logLevel = .warning
        var configuration = url.clientConfiguration(settings: settings)
        // Tests run in parallel, each with its own pool: keep the sum under max_connections.
        configuration.options.maximumConnections = 12
        var poolLogger = logger
        poolLogger.logLevel = .error
        let client = PostgresClient(configuration: configuration, backgroundLogger: poolLogger)
        let pipeline = statements.map { StatementPipeline(.init(url: url, settings: settings, statements: $0), logger: poolLogger) }
        let database = Database(client: client, observers: observers, logger: logger, pipeline: pipeline)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            if let pipeline { group.addTask { await pipeline.run() } }
            defer { group.cancelAll() }
            if let pipeline { try await pipeline.waitUntilOpen(timeout: .seconds(30)) }
            return try await body(database)
        }
    }
}

extension PostgresClient {
    /// Opens `count` of the pool's connections and waits until they are open, however long that takes
    /// (PostgresNIO waits for a connection without a limit). At the start of a loaded parallel test run,
    /// opening a connection can take longer than a gate's wait, which is not what a gated test is about.
    public func warmUp(connections count: Int) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<count {
                group.addTask {
                    try await self.withConnection { connection in
                        _ = try await connection.query("SELECT pg_sleep(0.05)", logger: Logger(label: "surge.tests.warm-up")).collect()
                    }
                }
            }
            try await group.waitForAll()
        }
    }
}
