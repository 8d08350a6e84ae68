import ArgumentParser
import Database
import Doctor
import Drill
import Foundation
import LoadTest

/// `surge drill [NAME]`: runs one drill and writes its postmortem.
struct DrillRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a drill (the default: `surge drill NAME` is `surge drill run NAME`).",
        discussion: DrillCommand.configuration.discussion
    )

    @Argument(help: "The drill (`surge drill list` shows them all).")
    var name: String = DrillName.postmortem.rawValue

    @Option(help: "Products in the private store's catalog (variants ~2.5 each); with --target, in yours.")
    var products: Int = 20_000

    @Option(help: "The normal mix's arrival rate, journeys per second; the surge is --multiplier times it.")
    var rate: Double = 20

    @Option(help: "The flash sale's multiple of the normal rate.")
    var multiplier: Double = 5

    @Option(help: "Seconds the flash sale holds its peak (the whole surge is 20 s longer).")
    var holdSeconds: Int = 25

    @Option(help: "Each doctor window, e.g. 3s.")
    var window: String = "3s"

    @Option(help: "Objective after the fix: checkout (and add-to-cart) journeys completed, percent.")
    var sloCheckoutCompletion: Double = 99

    @Option(help: "Objective after the fix: checkout p99, milliseconds.")
    var sloCheckoutP99Ms: Double = 1000

    @Option(help: "Write the postmortem as self-contained HTML here (default surge-drill-NAME.html; \"\" for none).")
    var html: String?

    @Flag(help: "Print the postmortem as JSON on standard output instead of the summary.")
    var json = false

    @Option(help: "Your own store's base URL (loopback), e.g. http://127.0.0.1:8080: traffic and diagnosis there, no fix. Needs --database-url.")
    var target: String?

    @Option(name: .customLong("database-url"), help: "Your store's PostgreSQL (with --target); the doctor reads it (pg_monitor is enough).")
    var databaseURL: String?

    @Flag(help: "With --target: inject the drill's fault into your deployment too (and remove it at the end).")
    var inject = false

    @Option(help: "OS user that runs the private PostgreSQL when surge runs as root.")
    var pgUser: String = "postgres"

    @Flag(help: "No progress lines (they go to standard error on a terminal only).")
    var quiet = false

    func run() async throws {
        var passed = false
        try await CLI.run {
            let options = try makeOptions()
            let progress = DrillProgressPrinter(quiet: quiet || json)
            let report: DrillReport
            do {
                report = try await DrillInterrupt.run {
                    try await DrillRunner.run(options, logger: DrillProgressPrinter.logger, progress: progress.show)
                }
            } catch let error as DrillError {
                throw UsageError(error.description)
            } catch let error as DoctorError {
                throw UsageError(error.description)
            }
            progress.finish()
            let path = html ?? "surge-drill-\(options.drill.rawValue).html"
            if !path.isEmpty {
                try LoadOutput.writeFile(path, Data(DrillHTML.render(report).utf8))
            }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
                print(String(decoding: try encoder.encode(report), as: UTF8.self))
            } else {
                print(DrillText.render(report), terminator: "")
                if !path.isEmpty { print("postmortem: \(path)") }
            }
            passed = report.passed
        }
        if !passed { throw ExitCode(1) }
    }

    func makeOptions() throws -> DrillOptions {
        guard let drill = DrillName(rawValue: name) else {
            throw UsageError("unknown drill '\(name)': one of \(DrillName.allCases.map(\.rawValue).joined(separator: ", ")) (surge drill list)")
        }
        guard (100...1_000_000).contains(products) else { throw UsageError("--products must be from 100 to 1000000") }
        guard rate > 0, rate <= 10_000 else { throw UsageError("--rate must be in (0, 10000] journeys per second") }
        guard multiplier >= 1, multiplier <= 100 else { throw UsageError("--multiplier must be from 1 to 100") }
        guard (5...600).contains(holdSeconds) else { throw UsageError("--hold-seconds must be from 5 to 600") }
        guard let window = DurationText.parse(window), window >= .milliseconds(500), window <= .seconds(60) else {
            throw UsageError("--window \(self.window) must be a duration from 500ms to 60s, e.g. 3s")
        }
        guard (0...100).contains(sloCheckoutCompletion) else { throw UsageError("--slo-checkout-completion must be a percent (0 to 100)") }
        guard sloCheckoutP99Ms > 0 else { throw UsageError("--slo-checkout-p99-ms must be positive") }
        let environment: DrillEnvironment
        switch (target, databaseURL) {
        case (nil, nil):
            guard !inject else { throw UsageError("--inject only applies with --target (the private store is always injected)") }
            environment = .privateServer(osUser: pgUser)
        case (let target?, let database?):
            guard let url = URL(string: target), url.scheme == "http", let host = url.host else {
                throw UsageError("--target \(target) must be the store's http base URL, e.g. http://127.0.0.1:8080")
            }
            guard Endpoint(host: host, port: url.port ?? 80).isLoopback else {
                throw UsageError("--target \(target) is not on loopback: a drill's surge only goes to 127.0.0.1 / localhost")
            }
            environment = .target(store: url, database: try DatabaseURL(database), inject: inject)
        case (nil, _?):
            throw UsageError("--database-url needs --target (the store that uses it); without both, the drill starts its own")
        case (_?, nil):
            throw UsageError("--target needs --database-url (the doctor reads the store's database)")
        }
        var options = DrillOptions(drill: drill, environment: environment)
        options.products = products
        options.ratePerSecond = rate
        options.surge.multiplier = multiplier
        options.surge.holdSeconds = holdSeconds
        options.doctorWindow = window
        options.objectives.checkoutCompletionPercent = sloCheckoutCompletion
        options.objectives.addToCartCompletionPercent = sloCheckoutCompletion
        options.objectives.checkoutP99Milliseconds = sloCheckoutP99Ms
        return options
    }
}
