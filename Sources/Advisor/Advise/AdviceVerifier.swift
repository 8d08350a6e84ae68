import Database
import PostgresNIO

/// `surge advise --verify`: builds the recommended indexes for real (on a staging database) and
/// measures the workload's cost again with them.
public enum AdviceVerifier {
    /// Builds each index with CREATE INDEX CONCURRENTLY (outside any transaction), then re-plans the workload.
    public static func verify(_ advice: Advice, workload: Workload, database: Database, buildTimeout: Duration = .seconds(600)) async throws -> Advice {
        var advice = advice
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
                    if let plan = try? await session.explain(statement.sql) { costs[statement.displayText] = plan.totalCost }
                }
                return costs
            }
        }
        advice.workloadCostVerified = workload.statements.reduce(0) { total, statement in
            total + statement.calls * (measured[statement.displayText] ?? 0)
        }
        for index in advice.indexes.indices {
            advice.indexes[index].verifiedCostAfter = advice.indexes[index].serves.map { measured[$0.statement] ?? $0.costAfter }
        }
        return advice
    }
}
