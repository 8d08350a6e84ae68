import Advisor
import Foundation
@testable import Doctor

/// Hand-built evidence, shaped like what the sampler records.
enum Fixtures {
    /// `count` activity samples 0.2 s apart, each with `sessions(i)`.
    static func activity(_ count: Int = 10, _ sessions: (Int) -> [BackendActivity]) -> [ActivitySample] {
        (0..<count).map { ActivitySample(at: Double($0) * 0.2, sessions: sessions($0)) }
    }

    /// A busy, healthy database: 20 sessions, a few active on short indexed statements, 400 commits/s.
    static func healthy(window: Double = 2, commitsPerSecond: Double = 400, baselinePerSecond: Double = 350) -> Evidence {
        let sessions = (0..<20).map { i in
            BackendActivity(pid: 1000 + i, application: "surge", state: i < 3 ? "active" : "idle",
                            waitEventType: i == 2 ? "Client" : nil, waitEvent: i == 2 ? "ClientRead" : nil,
                            transactionSeconds: i < 3 ? 0.002 : nil, querySeconds: 0.002, stateSeconds: 0.001,
                            query: "SELECT * FROM products WHERE id = $1")
        }
        let age = 86_400.0
        let first = CounterSnapshot(
            at: 0,
            statements: [StatementCounters(queryID: "1", query: "SELECT * FROM products WHERE id = $1", calls: 1_000_000, totalTimeMs: 200_000, rows: 1_000_000)],
            database: DatabaseCounters(commits: baselinePerSecond * age, blocksRead: 1000, blocksHit: 1_000_000, statsAgeSeconds: age),
            checkpoints: CheckpointCounters(timed: 100, requested: 2, buffersWritten: 10_000, walBytes: 1e10),
            tables: [TableCounters(oid: 1, name: "products", plannerRows: 100_000, liveTuples: 100_000, deadTuples: 500, seqScans: 3, seqTuplesRead: 300_000, indexScans: 1_000_000)]
        )
        var last = first
        last.at = window
        last.statements[0].calls += commitsPerSecond * window
        last.statements[0].totalTimeMs += commitsPerSecond * window * 0.2
        last.statements[0].rows += commitsPerSecond * window
        last.database.commits += commitsPerSecond * window
        last.database.blocksHit += 10_000
        last.database.statsAgeSeconds += window
        last.checkpoints?.walBytes = 1e10 + 4e6
        return Evidence(windowSeconds: window, facts: ServerFacts(cores: 8), first: first, last: last,
                        activity: activity(10) { _ in sessions })
    }

    /// Adds one hot statement that took `timeMs` of the window and ran `calls` times.
    static func addHot(_ evidence: inout Evidence, id: String, sql: String, calls: Double, timeMs: Double, rows: Double = 0, tempBlocks: Double = 0) {
        evidence.first.statements.append(StatementCounters(queryID: id, query: sql, calls: 10, totalTimeMs: 100, rows: 10))
        evidence.last.statements.append(StatementCounters(queryID: id, query: sql, calls: 10 + calls, totalTimeMs: 100 + timeMs, rows: 10 + rows, tempBlocksWritten: tempBlocks))
    }

    /// A catalog with one table (columns text unless named `id`) and the given indexed columns.
    static func catalog(table: String, rows: Double, columns: [String], indexed: [String] = []) throws -> Catalog {
        let columnJSON = columns.map { """
            {"name": "\($0)", "type": "\($0 == "id" ? "bigint" : "text")", "averageWidth": 8, "distinct": -1}
            """ }.joined(separator: ",")
        let indexJSON = indexed.enumerated().map { i, column in """
            {"oid": \(100 + i), "name": "\(table)_\(column)_idx", "schema": "public", "tableOID": 1, "method": "btree",
             "isUnique": false, "isPrimary": false, "isValid": true, "backsConstraint": false, "keyColumns": ["\(column)"],
             "includeColumns": [], "definition": "CREATE INDEX \(table)_\(column)_idx ON public.\(table) USING btree (\(column))",
             "scans": 0, "bytes": 8192, "keyOptions": ["1978/0"]}
            """ }.joined(separator: ",")
        let json = """
            {"tables": [{"oid": 1, "schema": "public", "name": "\(table)", "estimatedRows": \(rows), "totalBytes": 1000000,
              "liveTuples": \(Int(rows)), "deadTuples": 0, "modifiedSinceAnalyze": 0, "writes": 0, "seqScans": 10,
              "everAnalyzed": true, "columns": [\(columnJSON)]}],
             "indexes": [\(indexJSON)]}
            """
        return try JSONDecoder().decode(Catalog.self, from: Data(json.utf8))
    }

    /// `EXPLAIN (FORMAT JSON)` of a Seq Scan with a filter.
    static func seqScanPlan(table: String, rows: Double, kept: Double, filter: String) throws -> Plan {
        try Plan.parse(json: """
            [{"Plan": {"Node Type": "Seq Scan", "Relation Name": "\(table)", "Alias": "\(table)", "Startup Cost": 0,
              "Total Cost": \(rows / 100), "Plan Rows": \(kept), "Plan Width": 40, "Filter": "\(filter)"}}]
            """)
    }

    static func indexScanPlan(table: String, rows: Double) throws -> Plan {
        try Plan.parse(json: """
            [{"Plan": {"Node Type": "Index Scan", "Relation Name": "\(table)", "Alias": "\(table)", "Index Name": "\(table)_pkey",
              "Startup Cost": 0, "Total Cost": 8, "Plan Rows": \(rows), "Plan Width": 40}}]
            """)
    }
}
