import ArgumentParser
import Database
import Doctor
import Foundation

struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Name the cause of a live database incident in seconds: what is wrong, with what object, and the fix.",
        discussion: """
            Samples pg_stat_activity several times a second over a short window, reads pg_stat_statements,
            pg_stat_database, checkpoints, WAL and tables at its start and end, plans the statements that
            dominated (generic plans, never ANALYZE), and prints one DIAGNOSIS line per cause, most
            important first, then the evidence and FIX lines. Read-only; it never runs a fix.
              surge doctor --database-url postgres://monitor@db/store
              surge doctor --database-url $DATABASE_URL --store-metrics http://store:8080/metrics --watch
              surge doctor --window 2s --json
            A role with pg_monitor is enough. Exit 0 when the database is healthy, 1 when a cause was
            found, 2 when the doctor could not look.
            """
    )

    @OptionGroup var database: DatabaseOptions

    @Option(help: "The store's Prometheus endpoint, e.g. http://store:8080/metrics (adds pool, admission, payment and cache causes).")
    var storeMetrics: String?

    @Option(help: "Evidence window, e.g. 5s or 2s (default 5s, at most 60s).")
    var window: String = "5s"

    @Flag(help: "Examine again and again until Ctrl-C (the screen is redrawn on a terminal, plain lines otherwise).")
    var watch = false

    @Flag(help: "Print the verdict as JSON (findings with evidence, fixes and confidence).")
    var json = false

    @Option(help: "Also write everything the doctor saw (the evidence, as JSON) to this file: for a ticket, or a test.")
    var record: String?

    func run() async throws {
        try await CLI.run {
            guard let duration = DurationText.parse(window), duration >= .milliseconds(500), duration <= .seconds(60) else {
                throw UsageError("--window \(window) must be a duration from 500ms to 60s, e.g. 5s")
            }
            var metrics: URL?
            if let storeMetrics {
                guard let url = URL(string: storeMetrics), url.scheme == "http" || url.scheme == "https" else {
                    throw UsageError("--store-metrics \(storeMetrics) is not an http(s) URL, e.g. http://store:8080/metrics")
                }
                metrics = url
            }
            let url = try DatabaseURL(database.explicitURL ?? database.localServer(logger: CLI.logger).url())
            let options = DoctorOptions(window: duration, storeMetrics: metrics)
            var found = false
            do {
                try await DoctorSession.with(url, logger: CLI.logger) { doctor in
                    var screen = DoctorScreen(json: json, watch: watch, redraw: watch && isatty(STDOUT_FILENO) == 1)
                    repeat {
                        let evidence = try await doctor.examine(options)
                        if let record { try EvidenceFile.write(evidence, to: record) }
                        let verdict = Diagnosis.verdict(evidence, thresholds: options.thresholds)
                        found = !verdict.healthy
                        try screen.show(verdict)
                    } while watch
                }
            } catch let error as DoctorError {
                CLI.fail(error.description)
            }
            if found && !watch { throw ExitCode(1) }
        }
    }
}

/// Prints verdicts to standard output as `VerdictScreen` lays them out.
struct DoctorScreen {
    var json: Bool
    var watch: Bool
    var redraw: Bool

    mutating func show(_ verdict: Verdict) throws {
        let text = try VerdictScreen(json: json, watch: watch, redraw: redraw).frame(verdict)
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
