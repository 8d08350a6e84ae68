import ArgumentParser
import LoadTest

/// `surge load merge`: join the results of several segments into one result and one verdict.
struct LoadMergeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Merge JSON results of segments (--segment i/n) exactly into one report and one verdict.",
        discussion: """
            Counts add and HDR histograms merge without loss; thresholds are evaluated on the whole:
              surge load merge seg1.json seg2.json --json all.json --html all.html
            """
    )

    @Argument(help: "JSON results to merge (one per segment).")
    var results: [String]

    @Option(help: "Write the merged JSON result here.")
    var json: String?

    @Option(help: "Write the merged HTML report here.")
    var html: String?

    func run() async throws {
        var exitCode: Int32 = 0
        try await CLI.run {
            guard results.count >= 2 else { throw UsageError("give at least two JSON results to merge") }
            let loaded = try results.map(LoadOutput.readResult)
            do {
                let merged = try RunResult.merge(loaded)
                try LoadOutput.write(merged, json: json, html: html, quiet: false)
                exitCode = merged.verdict?.exitCode ?? 0
            } catch let error as MergeError {
                throw UsageError(error.description)
            }
        }
        if exitCode != 0 { throw ExitCode(exitCode) }
    }
}
