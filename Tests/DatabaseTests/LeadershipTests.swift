import Database
import Logging
import ServiceLifecycle
import Testing
import TestSupport

@Suite struct LeadershipTests {
    static func waitUntil(_ limit: Duration = .seconds(20), _ condition: () -> Bool) async throws -> Bool {
        let start = ContinuousClock.now
        while start.duration(to: .now) < limit {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    @Test func exactlyOneInstanceLeadsAndLeadershipMovesWhenTheLeaderGoes() async throws {
        try await TestPostgres.withFreshDatabase { database, url in
            var logger = Logger(label: "surge.tests.leadership")
            logger.logLevel = .error
            let key = Int64.random(in: 1...Int64.max)
            let instances = (0..<3).map { _ in Leadership(url: url, key: key, interval: .milliseconds(100), logger: logger) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                // Instance 0 runs in a task of its own so that it can die alone.
                let first = Task { try await instances[0].run() }
                for instance in instances.dropFirst() { group.addTask { try await instance.run() } }
                defer { group.cancelAll(); first.cancel() }
                #expect(try await Self.waitUntil { instances.filter(\.isLeader).count == 1 })
                // Held for a while by the same one: nobody else takes a held lock.
                let leader = instances.firstIndex { $0.isLeader } ?? -1
                #expect(leader >= 0)
                for _ in 0..<10 {
                    try await Task.sleep(for: .milliseconds(50))
                    #expect(instances.filter(\.isLeader).count == 1)
                    #expect(leader >= 0 && instances[leader].isLeader)
                }
                // The leader's session is ended by the server (what a dead instance's closed socket does).
                try await database.query("""
                    SELECT pg_terminate_backend(pid) FROM pg_locks
                    WHERE locktype = 'advisory' AND granted AND ((classid::bigint << 32) | objid::bigint) = \(key)
                    """)
                #expect(try await Self.waitUntil { leader < 0 || !instances[leader].isLeader || instances.filter(\.isLeader).count != 1 })
                #expect(try await Self.waitUntil { instances.filter(\.isLeader).count == 1 })
                // An instance that stops (its task ends, its session closes) hands over too.
                let current = instances.firstIndex { $0.isLeader } ?? -1
                if current == 0 {
                    first.cancel()
                    #expect(try await Self.waitUntil { instances[1].isLeader || instances[2].isLeader })
                    #expect(try await Self.waitUntil { !instances[0].isLeader })
                }
                #expect(try await Self.waitUntil { instances.filter(\.isLeader).count == 1 })
            }
        }
    }
}
