import ArgumentParser
import Capacity
import Foundation

/// `surge capacity fit FILE.csv`: the USL fit and report for points measured by any tool.
struct CapacityFitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fit",
        abstract: "Fit the Universal Scalability Law to measured points (CSV) and report the peak, N*, the latency knee and sizing.",
        discussion: """
            Columns by header: concurrency (or users, vus, threads) or rate (needs latency_ms: concurrency = rate × latency,
            Little's law), throughput (or rps), optional latency_ms (mean) and p99_ms. At least 4 points over 3 loads:
              concurrency,throughput,p99_ms
              1,64.9,12
              18,995.9,30
              …
              surge capacity fit points.csv --slo-p99 300ms --peak 5x --json fit.json --html fit.html
            """
    )

    @Argument(help: "CSV file of measured points.")
    var file: String

    @Option(help: "p99 latency objective for the knee, e.g. 300ms (default 500ms).")
    var sloP99: String = "500ms"

    @Option(help: "Size for a target peak: a multiple of the measured peak (5x) or req/s (2000).")
    var peak: String?

    @Option(help: "Database cores for the pool-size suggestion (default: this host's cores).")
    var databaseCores: Int?

    @Option(help: "Write the versioned JSON report here.")
    var json: String?

    @Option(help: "Write the self-contained HTML report here.")
    var html: String?

    func run() async throws {
        try await CLI.run {
            let objective = try CapacityOutput.seconds(sloP99, flag: "--slo-p99")
            let peak = try CapacityOutput.peak(self.peak)
            let points: [LoadPoint]
            do {
                points = try PointsCSV.parse(try CapacityOutput.readText(file), file: file)
            } catch let error as InputError {
                throw UsageError(error.description)
            }
            let estimate: CapacityEstimate
            do {
                estimate = try CapacityEstimate.fit(points, p99Objective: objective)
            } catch let error as FitError {
                throw UsageError("\(file): \(error.description)")
            }
            let cores = databaseCores ?? ProcessCPU.cores
            let target = peak.absolute ?? peak.multiplier.map { $0 * estimate.measuredPeak }
            let sizing = CapacitySizing.make(estimate: estimate, steps: [], databaseCores: cores, limiting: nil, targetThroughput: target)
            try CapacityOutput.write(CapacityReport(target: nil, steps: [], estimate: estimate, sizing: sizing), json: json, html: html)
        }
    }
}
