import ArgumentParser
import LoadTest

/// `surge load compare`: is the second run better, worse, or the same within noise?
struct LoadCompareCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare two JSON results phase by phase with a noise-aware verdict.",
        discussion: """
            Latency differences count only when larger than the spread of each run's per-window p99s
            (and at least 5%); error rates use a two-proportion z-test. Exit 1 on a regression:
              surge load compare before.json after.json
            """
    )

    @Argument(help: "The baseline result (JSON from --json).")
    var before: String

    @Argument(help: "The result to judge against the baseline.")
    var after: String

    func run() async throws {
        var regressions = 0
        try await CLI.run {
            let report = Comparison.compare(try LoadOutput.readResult(before), try LoadOutput.readResult(after))
            print(report.render())
            regressions = report.regressions
        }
        if regressions > 0 { throw ExitCode(1) }
    }
}
