import Advisor
import ArgumentParser
import Database
import Foundation

struct AdviseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "advise",
        abstract: "Recommend indexes for the whole workload (HypoPG what-if costs) and existing indexes to drop.",
        discussion: """
            Reads the workload from pg_stat_statements (or --workload FILE), derives
            candidate indexes from each statement's predicates, join keys and ORDER BY
            (partial indexes for constants, IS NULL and comparisons of two columns
            such as `shipped_on < promised_on`; expression indexes for lower(), casts
            and JSON paths), costs them with HypoPG hypothetical indexes (nothing is
            built, nothing is locked; read-only transaction), picks the best set for
            the whole workload under the budget, and prints a migration:
              surge advise --database-url postgres://app@db/store --max-indexes 5 > m.sql
              surge advise --workload queries.sql --markdown
            --verify builds the indexes for real (CREATE INDEX CONCURRENTLY) and
            measures again: staging only.
            """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var workload: AdviseWorkloadOptions

    @Option(help: "At most this many new indexes (default 10).")
    var maxIndexes: Int = 10

    @Option(help: "At most this much new index space, as built, e.g. 512MB or 2GB (default: no limit). The selection fills 97% of it by saving per byte, and an index that fits needs a tenth of --min-gain-percent.")
    var maxBytes: String?

    @Option(help: "An index must save at least this percent of what the workload still costs (a tenth of it under --max-bytes), or halve the cost of the statements it serves (default 1).")
    var minGainPercent: Double = 1

    @Flag(help: "Output markdown (a summary table and the migration).")
    var markdown = false

    @Option(help: "Also write the migration to this file.")
    var output: String?

    @Flag(help: "Build the recommended indexes for real and measure again (writes! staging databases only).")
    var verify = false

    func run() async throws {
        try await CLI.run {
            guard maxIndexes >= 1 && maxIndexes <= 100 else { throw UsageError("--max-indexes \(maxIndexes) must be between 1 and 100") }
            guard minGainPercent >= 0 && minGainPercent < 100 else { throw UsageError("--min-gain-percent must be in [0, 100)") }
            var budget: Int64?
            if let maxBytes {
                guard let parsed = ByteText.parse(maxBytes) else { throw UsageError("--max-bytes \(maxBytes) is not a size: use e.g. 512MB or 2GB") }
                budget = parsed
            }
            guard !(workload.json && markdown) else { throw UsageError("choose one of --json and --markdown") }
            let timeout = try workload.timeout()
            _ = try workload.windowDuration()
            let options = AdviseOptions(maxIndexes: maxIndexes, maxBytes: budget, minGainPercent: minGainPercent)
            do {
                try await DatabaseSession.with(database, settings: SessionSettings(statementTimeout: timeout)) { db in
                    var (advice, statements) = try await db.withConnection { connection in
                        let server = try await ServerInfo.read(connection)
                        guard server.hasHypoPG else { throw AdvisorError.hypoPGMissing(serverMajor: server.major, available: server.hypoPGAvailable) }
                        let (statements, writes) = try await workload.load(connection, server: server)
                        let advice = try await PlanningSession.with(connection, safety: AdvisorSafety(statementTimeout: timeout)) { session in
                            try await IndexAdvisor(options: options).advise(session: session, workload: statements, catalog: try await session.catalog(), tableWrites: writes)
                        }
                        return (advice, statements)
                    }
                    if verify {
                        advice = try await AdviceVerifier.verify(advice, workload: statements, database: db)
                    }
                    if let output {
                        try AdviceReport.migration(advice).write(toFile: output, atomically: true, encoding: .utf8)
                    }
                    if workload.json {
                        print(try AdviceReport.json(advice))
                    } else if markdown {
                        print(AdviceReport.markdown(advice), terminator: "")
                    } else {
                        print(AdviceReport.table(advice), terminator: "")
                    }
                }
            } catch let error as AdvisorError {
                CLI.fail(error.description)
            }
        }
    }
}
