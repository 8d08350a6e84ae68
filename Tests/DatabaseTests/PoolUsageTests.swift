import Database
import Foundation
import Logging
import PostgresNIO
import Synchronization
import Testing
import TestSupport

/// The pool usage the store reports (PostgresNIO has no pool metrics): what `/metrics` and the
/// pool-waiters alert read.
@Suite struct PoolUsageTests {
    final class Recorder: PoolObserver {
        private let state = Mutex<(usages: [PoolUsage], waits: [(Duration, Bool)])>(([], []))
        func record(_ usage: PoolUsage) { state.withLock { $0.usages.append(usage) } }
        func recordAcquire(wait: Duration, acquired: Bool) { state.withLock { $0.waits.append((wait, acquired)) } }
        var usages: [PoolUsage] { state.withLock { $0.usages } }
        var acquired: Int { state.withLock { $0.waits.filter(\.1).count } }
    }

    func run(_ url: DatabaseURL, gate: ConnectionGate?, capacity: Int, _ body: (Database) async throws -> Void) async throws -> Recorder {
        var logger = Logger(label: "surge.tests.pool-usage")
        logger.logLevel = .warning
        var configuration = url.clientConfiguration()
        configuration.options.maximumConnections = capacity + 1
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        let recorder = Recorder()
        let database = Database(client: client, logger: logger, gate: gate, poolObserver: recorder, poolCapacity: capacity)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            try await client.warmUp(connections: capacity)
            try await body(database)
        }
        return recorder
    }

    /// Eight statements that each hold a connection for 100 ms, at once.
    func burst(_ database: Database) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<8 { group.addTask { try await database.query("SELECT pg_sleep(0.1)") } }
            try await group.waitForAll()
        }
    }

    @Test func gatedPoolReportsItsPermitsInUseAndItsWaitingLine() async throws {
        try await TestPostgres.withFreshDatabase { _, url in
            let recorder = try await run(url, gate: ConnectionGate(.init(permits: 2, maximumWaiters: 8, maximumWait: .seconds(10))),
                                         capacity: 2, burst)
            let usages = recorder.usages
            #expect(usages.count == 16)                     // a start and an end per lease
            #expect(usages.allSatisfy { $0.capacity == 2 && $0.inUse + $0.idle == 2 && $0.inUse <= 2 })
            #expect(usages.contains { $0.waiters > 0 })     // 8 callers, 2 permits: some waited
            #expect(usages.last?.inUse == 0 && usages.last?.waiters == 0)
            #expect(recorder.acquired == 8)
        }
    }

    @Test func ungatedPoolReportsDemandBeyondItsMaximumAsWaiters() async throws {
        try await TestPostgres.withFreshDatabase { _, url in
            let recorder = try await run(url, gate: nil, capacity: 3, burst)
            let usages = recorder.usages
            #expect(usages.allSatisfy { $0.capacity == 3 && $0.inUse <= 3 })
            #expect(usages.contains { $0.inUse == 3 && $0.waiters > 0 })
            #expect(usages.last?.inUse == 0)
            #expect(recorder.acquired == 8)
        }
    }
}
