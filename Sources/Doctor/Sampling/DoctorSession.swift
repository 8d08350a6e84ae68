import Database
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO

/// A connection for the doctor: checked up front (so a wrong password or an unreachable host is
/// one clear line, not a hang in the pool's reconnect loop), named `surge doctor`, and with
/// statement and lock timeouts on everything it sends.
public struct DoctorSession: Sendable {
    let database: Database
    let host: String
    let port: Int

    /// Connects to `url`, runs `body` with the doctor, and closes the connection.
    public static func with<T: Sendable>(
        _ url: DatabaseURL, logger: Logger = Logger(label: "surge.doctor"), connectTimeout: Duration = .seconds(5),
        _ body: (DoctorSession) async throws -> T
    ) async throws -> T {
        var url = url
        url.applicationName = "surge doctor"
        try await preflight(url, timeout: connectTimeout, logger: logger)
        let settings = SessionSettings(statementTimeout: .seconds(3), lockTimeout: .milliseconds(500), idleInTransactionTimeout: .seconds(10))
        var configuration = url.clientConfiguration(settings: settings)
        configuration.options.minimumConnections = 0
        configuration.options.maximumConnections = 1
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger.driver)
        let database = Database(client: client, logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body(DoctorSession(database: database, host: url.host, port: url.port))
        }
    }

    /// One plain connection with a connect timeout, closed at once: the errors a user can fix.
    static func preflight(_ url: DatabaseURL, timeout: Duration, logger: Logger) async throws {
        var configuration = PostgresConnection.Configuration(
            host: url.host, port: url.port, username: url.user, password: url.password, database: url.database,
            tls: .disable
        )
        if url.requireTLS {
            configuration.tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        }
        configuration.options.connectTimeout = .milliseconds(Int64(timeout.seconds * 1000))
        configuration.options.additionalStartupParameters = [("application_name", "surge doctor")]
        do {
            let connection = try await PostgresConnection.connect(on: MultiThreadedEventLoopGroup.singleton.next(), configuration: configuration, id: 1, logger: logger.driver)
            try? await connection.close()
        } catch {
            throw DoctorError.translate(error, host: url.host, port: url.port)
        }
    }

    /// One window of evidence.
    public func examine(_ options: DoctorOptions = .init()) async throws -> Evidence {
        let host = host
        // If the server goes away mid-window the pool would wait for it forever: bound the whole examination.
        let limit = options.window + options.planTimeout * options.maxPlans + .seconds(20)
        return try await withThrowingTaskGroup(of: Evidence?.self) { group in
            group.addTask {
                try await database.withConnection { connection in
                    try await Sampler(connection: connection, host: host, options: options).collect()
                }
            }
            group.addTask {
                try await Task.sleep(for: limit)
                return nil
            }
            defer { group.cancelAll() }
            let first: Evidence??
            do {
                first = try await group.next()
            } catch {
                // A statement the examination cannot do without (the facts, the activity samples)
                // failed: PostgreSQL's message, SQLSTATE and the fix (42501: GRANT pg_monitor).
                throw DoctorError.translate(error, host: host, port: port)
            }
            guard let first, let evidence = first else {
                throw DoctorError.timedOut(seconds: Int(limit.seconds))
            }
            return evidence
        }
    }

    /// One window of evidence, and the verdict on it.
    public func diagnose(_ options: DoctorOptions = .init()) async throws -> Verdict {
        Diagnosis.verdict(try await examine(options), thresholds: options.thresholds)
    }
}
