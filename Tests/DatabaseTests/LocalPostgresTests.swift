import Database
import Foundation
import Logging
import PostgresNIO
import Testing

/// A second private server, initialised as `surge serve` and `surge db start` initialise theirs.
@Suite struct LocalPostgresTests {
    @Test(.timeLimit(.minutes(3)))
    func aNewPrivateServerHasPgStatStatementsReadyInTheApplicationDatabase() async throws {
        var logger = Logger(label: "surge.tests.local")
        logger.logLevel = .error
        let directory = NSTemporaryDirectory() + "surge-local-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        _ = chmod(directory, 0o755)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let server = try LocalPostgres(
            configuration: .init(dataDirectory: directory + "/data", port: try LocalPostgres.pickPort(), databaseName: "shop",
                                 extraSettings: ["fsync = off"]),
            logger: logger)
        #expect(try await server.start())
        do {
            let url = try DatabaseURL(server.url())
            #expect(url.database == "shop")
            let client = PostgresClient(configuration: url.clientConfiguration(), backgroundLogger: logger)
            let (extensions, calls) = try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await client.run() }
                defer { group.cancelAll() }
                let names = try await client.query("SELECT extname FROM pg_extension", logger: logger).collect()
                    .map { try $0.decode(String.self) }
                // The view answers (it fails unless the library is preloaded and the extension created).
                let calls = try await client.query("SELECT count(*)::int8 FROM pg_stat_statements", logger: logger).collect()
                    .first?.decode(Int64.self)
                return (names, calls)
            }
            #expect(extensions.contains("pg_stat_statements"))
            #expect((calls ?? -1) >= 0)
        } catch {
            try? await server.stop()
            throw error
        }
        try await server.stop()
    }
}
