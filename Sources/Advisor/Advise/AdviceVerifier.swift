import Database
import PostgresNIO

/// `surge advise --verify`: builds the recommended indexes for real (on a staging database) and
/// measures the workload's cost again with them.
public enum AdviceVerifier {
    /// Builds each index with CREATE INDEX CONCURRENTLY (outside any transaction), then re-plans the workload.
    public static func verify(_ advice: Advice, workload: Workload, database: Database, buildTimeout: Duration = .seconds(600)) async throws -> Advice {
        var advice = advice
        let before = try await measureTime(workload, database: database)
        try await database.withConnection { connection in
            try await connection.query("SELECT set_config('statement_timeout', \("\(buildTimeout.milliseconds)ms"), false)")
            for recommendation in advice.indexes {
                var ddl = recommendation.ddl
                if ddl.hasSuffix(";") { ddl.removeLast() }
                if recommendation.candidate.operatorClass == "gin_trgm_ops" {
                    try await connection.query("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                }
                try await connection.query(PostgresQuery(unsafeSQL: ddl.replacingOccurrences(of: "CONCURRENTLY ", with: "CONCURRENTLY IF NOT EXISTS ")))
            }
            try await connection.query("RESET statement_timeout")
        }
        let measured: [String: Double] = try await database.withConnection { connection in
            try await PlanningSession.with(connection) { session in
                var costs: [String: Double] = [:]
                for statement in workload.statements {
                    if let plan = try? await session.explain(statement) { costs[statement.displayText] = plan.totalCost }
                }
                return costs
            }
        }
        advice.workloadCostVerified = workload.statements.reduce(0) { total, statement in
            total + statement.calls * (measured[statement.displayText] ?? 0)
        }
        let after = try await measureTime(workload, database: database)
        if before.statements > 0 {
            advice.measuredTime = MeasuredTime(statements: before.statements, beforeMs: before.totalMs, afterMs: after.totalMs)
        }
        for index in advice.indexes.indices {
            advice.indexes[index].verifiedCostAfter = advice.indexes[index].serves.map { measured[$0.statement] ?? $0.costAfter }
        }
        return advice
    }

    /// Real execution time of the workload's SELECTs that can run as they are (no parameters once
    /// LIMIT/OFFSET take representative values): the median of three `EXPLAIN ANALYZE` runs, × calls.
    /// Statements with parameters have no values to run with and are left out (the count says how many ran).
    static func measureTime(_ workload: Workload, database: Database) async throws -> (statements: Int, totalMs: Double) {
        try await database.withConnection { connection in
            try await PlanningSession.with(connection) { session in
                var total = 0.0
                var measured = 0
                for statement in workload.statements where StatementParser.parse(statement.sql).kind == .select {
                    let plannable = PlannableStatement(statement)
                    guard !SQLLexer.tokens(plannable.sql).contains(where: { $0.kind == .parameter }) else { continue }
                    var times: [Double] = []
                    for _ in 0..<3 {
                        if let time = try? await session.explain(plannable, analyze: true).executionTime { times.append(time) }
                    }
                    guard !times.isEmpty else { continue }
                    total += statement.calls * times.sorted()[times.count / 2]
                    measured += 1
                }
                return (measured, total)
            }
        }
    }
}
