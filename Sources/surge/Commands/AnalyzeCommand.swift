import Advisor
import ArgumentParser
import Database
import Foundation

struct AnalyzeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Find the statements that hurt: top statements, plan problems, SQL anti-patterns, table health.",
        discussion: """
            Read-only (a role with pg_read_all_stats suffices); every statement has a timeout.
              surge analyze --database-url postgres://app@db/store
              surge analyze --window 60s --json
              surge analyze --workload queries.sql --analyze
            --analyze runs EXPLAIN (ANALYZE, BUFFERS) on statements without parameters, inside a
            read-only transaction that is rolled back.
            """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var workload: AdviseWorkloadOptions

    @Flag(help: "Execute statements under EXPLAIN ANALYZE to compare estimates with actual rows (read-only transaction, rolled back).")
    var analyze = false

    @Option(help: "Plan at most this many statements, the most expensive first (default 50).")
    var maxPlans: Int = 50

    func run() async throws {
        try await CLI.run {
            guard maxPlans >= 0 && maxPlans <= 10_000 else { throw UsageError("--max-plans \(maxPlans) must be between 0 and 10000") }
            let timeout = try workload.timeout()
            _ = try workload.windowDuration()
            do {
                try await DatabaseSession.with(database, settings: SessionSettings(statementTimeout: timeout)) { db in
                    let findings = try await db.withConnection { connection in
                        let server = try await ServerInfo.read(connection)
                        let (statements, _) = try await workload.load(connection, server: server)
                        return try await PlanningSession.with(connection, safety: AdvisorSafety(statementTimeout: timeout)) { session in
                            await Analyzer(analyze: analyze, maxPlans: maxPlans).findings(session: session, workload: statements, catalog: try await session.catalog())
                        }
                    }
                    print(workload.json ? try FindingsReport.json(findings) : FindingsReport.text(findings), terminator: workload.json ? "\n" : "")
                }
            } catch let error as AdvisorError {
                CLI.fail(error.description)
            }
        }
    }
}
