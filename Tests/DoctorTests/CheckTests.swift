import Advisor
import Foundation
import Testing
@testable import Doctor

/// Each check on hand-built evidence: the cause and the object it names, and the near misses it must not name.
@Suite struct CheckTests {
    @Test func healthyBusyDatabaseHasNoFault() {
        let verdict = Diagnosis.verdict(Fixtures.healthy())
        #expect(verdict.healthy)
        #expect(TextReport.render(verdict).hasPrefix("DIAGNOSIS: no database fault\n"))
        #expect(verdict.seen.contains { $0.hasPrefix("connections: 20 now") })
    }

    @Test func surgeOfDemandOnAHealthyDatabaseIsSeenNotBlamed() {
        let verdict = Diagnosis.verdict(Fixtures.healthy(commitsPerSecond: 2000, baselinePerSecond: 300))
        #expect(verdict.healthy)
        #expect(verdict.seen.contains { $0.contains("above the baseline") })
        let calm = Diagnosis.verdict(Fixtures.healthy(commitsPerSecond: 300, baselinePerSecond: 300))
        #expect(!calm.seen.contains { $0.contains("above the baseline") })
    }

    @Test func blockingChainNamesTheRootAndFoldsItsIdleTransaction() {
        var evidence = Fixtures.healthy()
        evidence.activity = Fixtures.activity(10) { i in
            [
                BackendActivity(pid: 100, user: "app", application: "psql", state: "idle in transaction", transactionSeconds: 40 + Double(i) * 0.2,
                                querySeconds: 39, stateSeconds: 39, wrote: true, query: "UPDATE accounts SET balance = balance + 1 WHERE id = 1"),
                BackendActivity(pid: 101, state: "active", waitEventType: "Lock", waitEvent: "transactionid", querySeconds: 12,
                                query: "UPDATE accounts SET balance = balance - 1 WHERE id = 1", blockedBy: [100]),
                BackendActivity(pid: 102, state: "active", waitEventType: "Lock", waitEvent: "tuple", querySeconds: 8,
                                query: "UPDATE accounts SET balance = 0 WHERE id = 1", blockedBy: [101]),
            ]
        }
        let verdict = Diagnosis.verdict(evidence)
        let first = verdict.findings.first
        #expect(first?.cause == .blockingChain)
        #expect(first?.object.hasPrefix("pid 100 (idle in transaction") == true)
        #expect(first?.keyEvidence.hasPrefix("2 sessions waiting") == true)
        #expect(first?.fixes.first?.hasPrefix("SELECT pg_terminate_backend(100);") == true)
        #expect(first?.confidence == .high)
        // pid 100 is also idle in transaction for 39 s: the same cause, named once.
        #expect(!verdict.findings.contains { $0.cause == .idleInTransaction })
    }

    /// The classic migration outage: an ALTER TABLE waits behind a long report for its ACCESS
    /// EXCLUSIVE lock, and every reader queues behind the ALTER. The root is the report, not the ALTER.
    @Test func readersQueuedBehindAWaitingAlterTableBlameTheLongQueryItWaitsFor() {
        var evidence = Fixtures.healthy()
        evidence.activity = Fixtures.activity(10) { _ in
            [BackendActivity(pid: 10, application: "metabase", state: "active", waitEventType: "IO", waitEvent: "DataFileRead", querySeconds: 95, query: "SELECT sum(total) FROM orders"),
             BackendActivity(pid: 20, application: "migrate", state: "active", waitEventType: "Lock", waitEvent: "relation", querySeconds: 40, query: "ALTER TABLE orders ADD COLUMN note text", blockedBy: [10])]
                + (30..<40).map { BackendActivity(pid: $0, application: "surge", state: "active", waitEventType: "Lock", waitEvent: "relation", querySeconds: 30, query: "SELECT * FROM orders WHERE id = $1", blockedBy: [20]) }
        }
        let verdict = Diagnosis.verdict(evidence)
        let first = verdict.findings.first
        #expect(first?.cause == .blockingChain)
        #expect(first?.object.hasPrefix("pid 10 (active 95 s, app \"metabase\"") == true)
        #expect(first?.keyEvidence.hasPrefix("11 sessions waiting on its locks") == true)
        #expect(first?.evidence.contains { $0.contains("pid 20") && $0.contains("ALTER TABLE orders") } == true)
        // The report is also a long-running query: the same session, named once.
        #expect(!verdict.findings.contains { $0.cause == .longRunningQuery })
    }

    @Test func shortLockWaitsAreContentionNotABlockingChain() {
        var evidence = Fixtures.healthy()
        evidence.activity = Fixtures.activity(10) { _ in
            [BackendActivity(pid: 100, state: "active", querySeconds: 0.05, query: "UPDATE stock SET qty = qty - 1 WHERE id = $1"),
             BackendActivity(pid: 101, state: "active", waitEventType: "Lock", waitEvent: "transactionid", querySeconds: 0.03, blockedBy: [100])]
        }
        #expect(Diagnosis.verdict(evidence).healthy)
    }

    @Test func blockingInAnotherDatabaseIsNotThisDatabasesCause() {
        var evidence = Fixtures.healthy()
        evidence.activity = Fixtures.activity(10) { _ in
            [BackendActivity(pid: 100, database: "other", state: "idle in transaction", stateSeconds: 60),
             BackendActivity(pid: 101, database: "other", state: "active", waitEventType: "Lock", querySeconds: 30, blockedBy: [100])]
        }
        #expect(Diagnosis.verdict(evidence).healthy)
    }

    @Test func idleInTransactionHoldingLocksIsNamed() {
        var evidence = Fixtures.healthy()
        evidence.activity = Fixtures.activity(10) { _ in
            [BackendActivity(pid: 300, user: "app", application: "worker", state: "idle in transaction", transactionSeconds: 95,
                             stateSeconds: 90, xminAge: 5000, wrote: true, query: "UPDATE orders SET status = 'paid' WHERE id = $1")]
        }
        let findings = Diagnosis.verdict(evidence).findings
        #expect(findings.map(\.cause) == [.idleInTransaction])
        #expect(findings.first?.object.hasPrefix("pid 300 (idle in transaction") == true)
        #expect(findings.first?.keyEvidence.contains("holds the row locks of its writes") == true)
        #expect(findings.first?.fixes.contains("ALTER ROLE app SET idle_in_transaction_session_timeout = '10s';") == true)
    }

    @Test func briefIdleInTransactionIsNormal() {
        var evidence = Fixtures.healthy()
        evidence.activity = Fixtures.activity(10) { _ in
            [BackendActivity(pid: 300, state: "idle in transaction", transactionSeconds: 0.02, stateSeconds: 0.01)]
        }
        #expect(Diagnosis.verdict(evidence).healthy)
    }

    @Test func connectionExhaustionNamesWhoHoldsThem() {
        var evidence = Fixtures.healthy()
        evidence.facts.maxConnections = 100
        evidence.facts.reservedConnections = 3
        evidence.activity = Fixtures.activity(10) { _ in
            (0..<80).map { BackendActivity(pid: 2000 + $0, user: "report", application: "batch", client: "10.0.0.9", state: "idle", stateSeconds: 300) }
                + (0..<10).map { BackendActivity(pid: 3000 + $0, application: "surge", state: "active", querySeconds: 0.01) }
        }
        let findings = Diagnosis.verdict(evidence).findings
        #expect(findings.first?.cause == .connectionExhaustion)
        #expect(findings.first?.object == "app \"batch\" as report from 10.0.0.9")
        #expect(findings.first?.keyEvidence.hasPrefix("90 of 97 usable connections") == true)
        #expect(findings.first?.fixes.first?.contains("application_name = 'batch' AND usename = 'report'") == true)
    }

    @Test func missingIndexNamesStatementTableAndIndex() throws {
        var evidence = Fixtures.healthy()
        let sql = "SELECT * FROM items WHERE sku = $1"
        Fixtures.addHot(&evidence, id: "77", sql: sql, calls: 100, timeMs: 3000, rows: 100)
        evidence.plans["77"] = try Fixtures.seqScanPlan(table: "items", rows: 200_000, kept: 1, filter: "(sku = $1)")
        evidence.catalog = try Fixtures.catalog(table: "items", rows: 200_000, columns: ["id", "sku", "qty"])
        evidence.first.tables.append(TableCounters(oid: 1, name: "items", plannerRows: 200_000, liveTuples: 200_000, seqScans: 10, seqTuplesRead: 2_000_000))
        evidence.last.tables.append(TableCounters(oid: 1, name: "items", plannerRows: 200_000, liveTuples: 200_000, seqScans: 110, seqTuplesRead: 22_000_000))
        let findings = Diagnosis.verdict(evidence).findings
        let finding = try #require(findings.first)
        #expect(finding.cause == .missingIndex)
        #expect(finding.object == "items for \"\(sql)\"")
        #expect(finding.fixes.first?.hasPrefix("CREATE INDEX CONCURRENTLY items_sku_idx ON items (sku);") == true)
        #expect(finding.confidence == .high)
    }

    @Test func noMissingIndexWhenAnIndexAlreadyServesTheFilter() throws {
        var evidence = Fixtures.healthy()
        Fixtures.addHot(&evidence, id: "77", sql: "SELECT * FROM items WHERE sku = $1", calls: 100, timeMs: 3000)
        evidence.plans["77"] = try Fixtures.seqScanPlan(table: "items", rows: 200_000, kept: 1, filter: "(sku = $1)")
        evidence.catalog = try Fixtures.catalog(table: "items", rows: 200_000, columns: ["id", "sku"], indexed: ["sku"])
        #expect(!Diagnosis.verdict(evidence).findings.contains { $0.cause == .missingIndex })
    }

    @Test func seqScanOfASmallTableIsNotAMissingIndex() throws {
        var evidence = Fixtures.healthy()
        Fixtures.addHot(&evidence, id: "5", sql: "SELECT * FROM regions WHERE code = $1", calls: 100, timeMs: 3000)
        evidence.plans["5"] = try Fixtures.seqScanPlan(table: "regions", rows: 300, kept: 1, filter: "(code = $1)")
        evidence.catalog = try Fixtures.catalog(table: "regions", rows: 300, columns: ["id", "code"])
        #expect(Diagnosis.verdict(evidence).healthy)
    }

    @Test func staleStatisticsNamesTheTableAndAnalyze() throws {
        var evidence = Fixtures.healthy()
        let sql = "SELECT * FROM events WHERE kind = $1"
        Fixtures.addHot(&evidence, id: "9", sql: sql, calls: 50, timeMs: 2500, rows: 50 * 40_000)
        evidence.plans["9"] = try Fixtures.indexScanPlan(table: "events", rows: 10)
        let stale = TableCounters(oid: 7, name: "events", plannerRows: 1_000, liveTuples: 500_000, modifiedSinceAnalyze: 499_000, analyzeAgeSeconds: 7200)
        evidence.first.tables.append(stale)
        evidence.last.tables.append(stale)
        let findings = Diagnosis.verdict(evidence).findings
        #expect(findings.first?.cause == .staleStatistics)
        #expect(findings.first?.object.hasPrefix("events for") == true)
        #expect(findings.first?.fixes.first == "ANALYZE events;")
        #expect(findings.first?.confidence == .high)
    }

    @Test func cpuSaturationNeedsKnownCores() {
        var evidence = Fixtures.healthy()
        evidence.facts.cores = 2
        Fixtures.addHot(&evidence, id: "3", sql: "SELECT sum(total) FROM orders", calls: 20, timeMs: 9000)
        evidence.activity = Fixtures.activity(10) { _ in
            (0..<5).map { BackendActivity(pid: 500 + $0, state: "active", querySeconds: 0.5, query: "SELECT sum(total) FROM orders") }
        }
        let findings = Diagnosis.verdict(evidence).findings
        #expect(findings.contains { $0.cause == .cpuSaturation && $0.object.contains("SELECT sum(total) FROM orders") })
        evidence.facts.cores = nil
        let remote = Diagnosis.verdict(evidence)
        #expect(!remote.findings.contains { $0.cause == .cpuSaturation })
        #expect(remote.seen.contains { $0.hasPrefix("CPU: unknown") })
    }

    @Test func tempSpillNamesStatementAndWorkMem() {
        var evidence = Fixtures.healthy()
        let sql = "SELECT * FROM items ORDER BY md5(sku)"
        Fixtures.addHot(&evidence, id: "8", sql: sql, calls: 10, timeMs: 1500, tempBlocks: 10 * 1280)
        evidence.last.database.tempBytes = evidence.first.database.tempBytes + 100 * 1024 * 1024
        evidence.last.database.tempFiles = evidence.first.database.tempFiles + 10
        evidence.facts.workMemOverrides = ["role reporting: 64kB"]
        let finding = Diagnosis.verdict(evidence).findings.first
        #expect(finding?.evidence.contains("work_mem set per role/database: role reporting: 64kB") == true)
        #expect(finding?.cause == .tempSpill)
        #expect(finding?.object == "\"\(sql)\" with work_mem = 4 MB")
        #expect(finding?.fixes.first?.hasPrefix("SET LOCAL work_mem = '20MB';") == true)
    }

    @Test func smallTempFilesAreNotASpillIncident() {
        var evidence = Fixtures.healthy()
        evidence.last.database.tempBytes = evidence.first.database.tempBytes + 1024 * 1024
        #expect(Diagnosis.verdict(evidence).healthy)
    }

    @Test func autovacuumLagNamesTheTable() {
        var evidence = Fixtures.healthy()
        let bloated = TableCounters(oid: 9, name: "carts", plannerRows: 200_000, liveTuples: 200_000, deadTuples: 150_000, vacuumAgeSeconds: 86_400, options: ["autovacuum_enabled=false"])
        evidence.first.tables.append(bloated)
        evidence.last.tables.append(bloated)
        let finding = Diagnosis.verdict(evidence).findings.first
        #expect(finding?.cause == .autovacuumLag)
        #expect(finding?.object == "carts")
        #expect(finding?.fixes.contains("ALTER TABLE carts RESET (autovacuum_enabled);  -- autovacuum is off for this table") == true)
    }

    @Test func autovacuumLagNamesTheSessionHoldingTheHorizon() {
        var evidence = Fixtures.healthy()
        let bloated = TableCounters(oid: 9, name: "carts", plannerRows: 200_000, liveTuples: 200_000, deadTuples: 150_000, vacuumAgeSeconds: 60)
        evidence.first.tables.append(bloated)
        evidence.last.tables.append(bloated)
        evidence.activity = Fixtures.activity(10) { _ in
            [BackendActivity(pid: 77, application: "etl", state: "idle in transaction", transactionSeconds: 3600, stateSeconds: 2, wrote: true)]
        }
        let finding = Diagnosis.verdict(evidence).findings.first { $0.cause == .autovacuumLag }
        #expect(finding?.fixes.contains("SELECT pg_terminate_backend(77);  -- it holds the xmin horizon") == true)
        #expect(finding?.evidence.contains { $0.contains("horizon held by pid 77") } == true)
    }

    @Test func checkpointStormNeedsWALVolumeNotJustARequest() {
        var evidence = Fixtures.healthy()
        evidence.last.checkpoints?.requested = (evidence.first.checkpoints?.requested ?? 0) + 1
        #expect(Diagnosis.verdict(evidence).healthy, "a manual CHECKPOINT or CREATE DATABASE requests one with little WAL")
        evidence.last.checkpoints?.requested = (evidence.first.checkpoints?.requested ?? 0) + 3
        evidence.last.checkpoints?.walBytes = (evidence.first.checkpoints?.walBytes ?? 0) + 3 * 1024 * 1024 * 1024
        let finding = Diagnosis.verdict(evidence).findings.first
        #expect(finding?.cause == .checkpointStorm)
        #expect(finding?.object == "max_wal_size = 1.0 GB")
        #expect(finding?.fixes.first?.hasPrefix("ALTER SYSTEM SET max_wal_size = '4GB';") == true)
    }

    @Test func wraparoundDangerNamesDatabaseAndTable() {
        var evidence = Fixtures.healthy()
        evidence.facts.frozenXIDAge = 1_500_000_000
        evidence.facts.oldestFrozenTable = "ledger"
        evidence.facts.oldestFrozenTableAge = 1_500_000_000
        let finding = Diagnosis.verdict(evidence).findings.first
        #expect(finding?.cause == .xidWraparound)
        #expect(finding?.object == "database store, oldest table ledger")
        #expect(finding?.fixes.first?.hasPrefix("VACUUM (FREEZE, VERBOSE) ledger;") == true)
        evidence.facts.frozenXIDAge = 250_000_000
        #expect(Diagnosis.verdict(evidence).healthy)
    }

    /// pg_stat_statements_reset inside the window (another tool, or a drill on the same server):
    /// the statement's counters start again from zero, and what they count was done in the window.
    @Test func statementCountersResetInTheWindowCountFromZero() {
        var evidence = Fixtures.healthy()
        evidence.last.statements[0].calls = 50
        evidence.last.statements[0].totalTimeMs = 5_000
        let delta = evidence.statementDeltas.first
        #expect(delta?.calls == 50)
        #expect(delta?.timeMs == 5_000)
    }

    /// Twice a raised autovacuum_freeze_max_age lies past the stop (2^31 − 3M): the danger still
    /// starts halfway from the setting to the stop, not never.
    @Test func wraparoundDangerIsNamedBeforeTheStopWhateverTheFreezeMaxAge() {
        var evidence = Fixtures.healthy()
        evidence.facts.freezeMaxAge = 1_200_000_000
        evidence.facts.frozenXIDAge = 1_300_000_000
        #expect(Diagnosis.verdict(evidence).healthy, "autovacuum has only just begun to freeze aggressively")
        evidence.facts.frozenXIDAge = 1_900_000_000
        #expect(Diagnosis.verdict(evidence).findings.first?.cause == .xidWraparound)
        evidence.facts.freezeMaxAge = 2_000_000_000
        evidence.facts.frozenXIDAge = 2_100_000_000
        #expect(Diagnosis.verdict(evidence).findings.first?.cause == .xidWraparound)
    }

    /// The oldest table is read in the examined database: when another database is the oldest,
    /// the doctor names that database and no table of the one it is in.
    @Test func wraparoundInAnotherDatabaseNamesItWithoutATableOfThisOne() {
        var evidence = Fixtures.healthy()
        evidence.facts.oldestFrozenDatabase = "legacy"
        evidence.facts.frozenXIDAge = 1_500_000_000
        evidence.facts.oldestFrozenTable = "products"
        evidence.facts.oldestFrozenTableAge = 3_000
        let finding = Diagnosis.verdict(evidence).findings.first
        #expect(finding?.object == "database legacy")
        #expect(finding?.fixes.first?.hasPrefix("VACUUM (FREEZE, VERBOSE);  -- in database legacy") == true)
        #expect(finding?.evidence.first == "oldest table: not visible from database store; examine database legacy")
    }

    @Test func longRunningQueryIsNamed() {
        var evidence = Fixtures.healthy()
        evidence.activity = Fixtures.activity(10) { _ in
            [BackendActivity(pid: 700, user: "analyst", state: "active", waitEventType: "IO", waitEvent: "DataFileRead", querySeconds: 400, query: "SELECT count(*) FROM orders o JOIN order_lines l USING (order_id)")]
        }
        let finding = Diagnosis.verdict(evidence).findings.first
        #expect(finding?.cause == .longRunningQuery)
        #expect(finding?.object.hasPrefix("pid 700 (active 7 min") == true)
        #expect(finding?.fixes.first == "SELECT pg_cancel_backend(700);")
    }

    @Test func replicationLagIsNamed() {
        var evidence = Fixtures.healthy()
        evidence.facts.replicas = [Replica(name: "replica1", client: "10.0.0.5", state: "streaming", replayLagSeconds: 120, lagBytes: 5e8)]
        #expect(Diagnosis.verdict(evidence).findings.first?.object == "replica replica1 at 10.0.0.5")
    }

    @Test func blockingChainOutranksTempSpill() throws {
        var evidence = Fixtures.healthy()
        Fixtures.addHot(&evidence, id: "8", sql: "SELECT * FROM items ORDER BY md5(sku)", calls: 10, timeMs: 1500, tempBlocks: 10 * 1280)
        evidence.last.database.tempBytes += 100 * 1024 * 1024
        evidence.activity = Fixtures.activity(10) { _ in
            [BackendActivity(pid: 100, state: "active", querySeconds: 20, query: "LOCK TABLE items"),
             BackendActivity(pid: 101, state: "active", waitEventType: "Lock", querySeconds: 15, blockedBy: [100])]
        }
        let causes = Diagnosis.verdict(evidence).findings.map(\.cause)
        #expect(causes.first == .blockingChain)
        #expect(causes.contains(.tempSpill))
        let text = TextReport.render(Diagnosis.verdict(evidence))
        let lines = text.split(separator: "\n")
        #expect(lines.prefix(2).allSatisfy { $0.hasPrefix("DIAGNOSIS: ") })
        #expect(text.contains("FIX: SELECT pg_cancel_backend(100);"))
    }

    @Test func jsonCarriesCauseCodesAndConfidence() throws {
        var evidence = Fixtures.healthy()
        evidence.facts.frozenXIDAge = 1_500_000_000
        let json = try JSONReport.render(Diagnosis.verdict(evidence))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let findings = try #require(object["findings"] as? [[String: Any]])
        #expect(findings.first?["cause"] as? String == "xid_wraparound")
        #expect(findings.first?["confidence"] as? String == "high")
        #expect(object["healthy"] as? Bool == false)
        let line = try JSONReport.render(Diagnosis.verdict(evidence), pretty: false)
        #expect(!line.contains("\n"))
        #expect(line.hasPrefix("{\"diagnosis\":[\"DIAGNOSIS: xid wraparound danger — database store"))
    }
}
