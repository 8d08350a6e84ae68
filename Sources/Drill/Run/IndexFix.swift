import Advisor
import Database
import Foundation
import PostgresNIO

/// The postmortem's fix: `surge advise` on the surge's workload (pg_stat_statements, HypoPG costs),
/// and its migration applied statement by statement (CREATE INDEX CONCURRENTLY: no write is blocked).
enum IndexFix {
    struct Outcome: Sendable {
        var migration: String
        var applied: [String]
    }

    static func adviseAndApply(_ admin: Database, doctorFixes: [String]) async throws -> Outcome {
        try await admin.query("CREATE EXTENSION IF NOT EXISTS hypopg")
        let timeout: Duration = .seconds(60)
        let advice = try await admin.withConnection { connection in
            let server = try await ServerInfo.read(connection)
            try StatStatements.requireAvailable(server)
            let (workload, writes) = try await StatStatements.totals(connection)
            return try await PlanningSession.with(connection, safety: AdvisorSafety(statementTimeout: timeout)) { session in
                try await IndexAdvisor(options: AdviseOptions(maxIndexes: 3)).advise(
                    session: session, workload: workload, catalog: try await session.catalog(), tableWrites: writes)
            }
        }
        var applied: [String] = []
        for recommendation in advice.indexes {
            for statement in statements(recommendation.ddl) {
                try await admin.query(PostgresQuery(unsafeSQL: statement))
                applied.append(statement)
            }
        }
        // The doctor named the index too: build it when the advisor's budget left it out.
        if try await !variantsIndexed(admin) {
            for fix in doctorFixes where fix.hasPrefix("CREATE INDEX CONCURRENTLY") {
                let statement = String(fix.prefix { $0 != ";" })
                try await admin.query(PostgresQuery(unsafeSQL: statement))
                applied.append(statement)
            }
        }
        try await admin.query("ANALYZE variants")
        return Outcome(migration: AdviceReport.migration(advice), applied: applied)
    }

    /// Whether a valid index leads with variants.product_id (the product page's lookup).
    static func variantsIndexed(_ admin: Database) async throws -> Bool {
        let count = try await admin.query("""
            SELECT count(*)::int FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
            WHERE i.indrelid = 'variants'::regclass AND a.attname = 'product_id' AND i.indisvalid
            """).first?.decode(Int.self) ?? 0
        return count > 0
    }

    /// The statements of a migration snippet (one per `;`, comments and blank lines dropped).
    static func statements(_ ddl: String) -> [String] {
        ddl.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("--") }.joined(separator: "\n")
            .split(separator: ";").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
    }
}
