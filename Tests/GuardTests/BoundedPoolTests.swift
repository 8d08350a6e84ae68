import Database
import Foundation
import Logging
import PostgresNIO
import Testing
import TestSupport

@Suite struct BoundedPoolTests {
    /// A guarded `Database` on `url`: gate of `permits`, deadline cancellation on.
    func withGuardedDatabase<T: Sendable>(_ url: DatabaseURL, permits: Int, maximumWaiters: Int = 4,
                                          _ body: (Database) async throws -> T) async throws -> T {
        var logger = Logger(label: "surge.tests.guard")
        logger.logLevel = .warning
        var configuration = url.clientConfiguration()
        configuration.options.maximumConnections = permits + 1
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        let database = Database(client: client, logger: logger,
                                gate: ConnectionGate(.init(permits: permits, maximumWaiters: maximumWaiters, maximumWait: .seconds(5))),
                                cancelAtDeadline: true)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body(database)
        }
    }

    static func activeSleeps(_ admin: Database, marker: String) async throws -> Int {
        try await admin.query("""
            SELECT count(*)::int FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%' || \(marker) || '%'
              AND pid <> pg_backend_pid()
            """).first?.decode(Int.self) ?? -1
    }

    @Test func slowStatementIsCancelledOnTheServerAtItsDeadline() async throws {
        try await TestPostgres.withFreshDatabase { admin, url in
            try await withGuardedDatabase(url, permits: 2) { database in
                let marker = "deadline_probe_\(UInt32.random(in: 0...UInt32.max))"
                let context = QueryContext(route: "test", requestID: marker, deadline: .now + .milliseconds(300))
                let started = ContinuousClock.now
                await #expect(throws: PSQLError.self) {
                    try await QueryContext.$current.withValue(context) {
                        try await database.query(PostgresQuery(unsafeSQL: "SELECT pg_sleep(5) AS \(marker)"))
                    }
                }
                #expect(ContinuousClock.now - started < .seconds(5), "the call returned before pg_sleep(5) could finish")
                let stillRunning = try await Self.activeSleeps(admin, marker: marker)
                #expect(stillRunning == 0, "nothing left running on the server")
            }
        }
    }

    @Test func waitersAreBoundedAndGiveUpAtTheirDeadline() async throws {
        try await TestPostgres.withFreshDatabase { _, url in
            try await withGuardedDatabase(url, permits: 1, maximumWaiters: 1) { database in
                let release = AsyncStream<Void>.makeStream()
                let holder = Task {
                    try await database.withConnection { _ in
                        for await _ in release.stream { break }
                    }
                }
                for _ in 0..<10_000 where database.gate?.hasFreePermit == true { await Task.yield() }
                #expect(database.gate?.hasFreePermit == false)
                // One waiter may wait (until its deadline), the next is refused at once.
                let waiter = Task {
                    try await QueryContext.$current.withValue(.init(route: "t", requestID: "w", deadline: .now + .seconds(3))) {
                        try await database.query("SELECT 1")
                    }
                }
                for _ in 0..<10_000 where database.gate?.waiters != 1 { await Task.yield() }
                #expect(database.gate?.waiters == 1)
                await #expect(throws: PoolOverloaded.self) { try await database.query("SELECT 1") }
                await #expect(throws: PoolOverloaded.self) { try await waiter.value }
                release.continuation.yield()
                release.continuation.finish()
                try await holder.value
                let after = try await database.query("SELECT 1")
                #expect(after.count == 1)
            }
        }
    }
}
