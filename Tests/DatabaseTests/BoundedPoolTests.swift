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
            try await client.warmUp(connections: permits)
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
                // Open the pool's connections first: under a loaded test run, connecting alone can take
                // longer than the deadline, and then the lease (rightly) gives up before any SQL is sent.
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<2 { group.addTask { try await database.query("SELECT pg_sleep(0.05)") } }
                    try await group.waitForAll()
                }
                let marker = "deadline_probe_\(UInt32.random(in: 0...UInt32.max))"
                let context = QueryContext(route: "test", requestID: marker, deadline: .now + .seconds(1))
                // Cancelled on the server (57014 query_canceled), not left to finish its 5 s: no timing
                // threshold needed, the error code says who ended it.
                let error = await #expect(throws: PSQLError.self) {
                    try await QueryContext.$current.withValue(context) {
                        try await database.query(PostgresQuery(unsafeSQL: "SELECT pg_sleep(5) AS \(marker)"))
                    }
                }
                #expect(error?.sqlState == "57014")
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

@Suite struct DatabaseDownTests {
    @Test func requestsFailFastWhileTheDatabaseIsUnreachable() async throws {
        // A port nothing listens on: PostgresNIO would retry connecting and keep the lease waiting.
        let port = try LocalPostgres.pickPort()
        let url = try DatabaseURL("postgres://surge@127.0.0.1:\(port)/surge")
        var logger = Logger(label: "surge.tests.down")
        logger.logLevel = .critical
        var configuration = url.clientConfiguration()
        configuration.options.maximumConnections = 3
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        let database = Database(client: client, logger: logger,
                                gate: ConnectionGate(.init(permits: 2, maximumWaiters: 50, maximumWait: .seconds(1))))
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            let errors = await withTaskGroup(of: (any Error)?.self) { requests in
                for _ in 0..<20 {
                    requests.addTask {
                        do {
                            try await QueryContext.$current.withValue(.init(route: "t", requestID: "r", deadline: .now + .milliseconds(300))) {
                                _ = try await database.query("SELECT 1")
                            }
                            return nil
                        } catch { return error }
                    }
                }
                return await requests.reduce(into: [(any Error)?]()) { $0.append($1) }
            }
            #expect(errors.count == 20)
            #expect(errors.allSatisfy { $0 is PoolOverloaded }, "every request ends with a 503-able error: \(errors)")
            #expect(database.gate?.waiters == 0)
            #expect(database.gate?.hasFreePermit == true)
        }
    }
}
