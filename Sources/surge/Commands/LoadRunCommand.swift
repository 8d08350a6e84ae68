import ArgumentParser
import Foundation
import LoadTest

/// `surge load [run]`: a single URL, a scenario file or a built-in scenario.
struct LoadRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a load test (the default: `surge load URL` is `surge load run URL`).",
        discussion: LoadCommand.configuration.discussion
    )

    @Argument(help: "URL to test in single-URL mode (http://host:port/path or https://...).")
    var url: String?

    @Option(help: "Scenario file (YAML), or a built-in: \(BuiltinScenarios.names.joined(separator: ", ")).")
    var scenario: String?

    @Option(help: "Target base URL; overrides the scenario file's `target`.")
    var target: String?

    @Option(help: "Arrivals per second (single-URL mode: omit for closed-loop at --connections users; built-ins: the base rate, default 20).")
    var rate: Double?

    @Option(help: "Test length in single-URL mode, e.g. 30s or 2m (default 10s).")
    var duration: String = "10s"

    @Option(help: "Keep-alive connections per target host (default 64).")
    var connections: Int = 64

    @Option(help: "Arrivals finding this many requests in flight are dropped and counted (default 10000).")
    var maxInFlight: Int = 10_000

    @Flag(help: "Poisson arrivals (exponential gaps) instead of evenly spaced ones (single-URL mode).")
    var poisson = false

    @Option(help: "Seed for Poisson arrivals (default 1).")
    var seed: UInt64 = 1

    @Option(help: "HTTP method in single-URL mode (default GET).")
    var method: String = "GET"

    @Option(name: .customLong("header"), help: "Request header \"Name: value\" in single-URL mode (repeatable).")
    var headers: [String] = []

    @Option(help: "Request body in single-URL mode.")
    var body: String?

    @Option(help: "Thresholds, comma-separated, e.g. \"p99<300ms every 10s,errors<1%,goodput>=100/s\".")
    var slo: String?

    @Option(help: "Write the versioned JSON result here.")
    var json: String?

    @Option(help: "Write the self-contained HTML report here.")
    var html: String?

    @Flag(help: "No live progress; only the summary.")
    var quiet = false

    @Flag(help: "Allow a target that is not on loopback (127.0.0.0/8, ::1, localhost).")
    var allowRemote = false

    @Flag(help: "https targets: skip certificate verification (a self-signed test server).")
    var insecure = false

    @Option(help: "Run slice i of n of every scenario's arrivals, e.g. 1/2 (see `surge load merge`).")
    var segment: String?

    @Option(help: "Start at this wall-clock time (ISO 8601, or Unix seconds), to start segments together.")
    var startAt: String?

    @Option(help: "Stop scheduling after this many arrivals in total (default 50000000).")
    var maxRequests: Int = 50_000_000

    @Option(help: "Request timeout, e.g. 10s (default 10s).")
    var timeout: String?

    @Option(help: "Event loops (threads) driving requests (default: one per core).")
    var eventLoops: Int?

    @Option(help: "Schedule lag p99 above this many milliseconds means the generator was the bottleneck (default 20).")
    var maxScheduleLagMs: Double = 20

    @Option(help: "Products in the store (built-in scenarios draw ids 1...N, default 100).")
    var products: Int = 100

    @Flag(help: "Check the generator against a stall server with a known p99 (900 ms), about 30 s.")
    var selfTest = false

    @Flag(help: "Find the highest arrival rate meeting --slo (single URL or scenario; steps, then bisects).")
    var findCapacity = false

    @Option(help: "Length of each capacity step, e.g. 10s (default 10s).")
    var stepDuration: String = "10s"

    @Option(help: "Highest rate capacity search tries (default 100000).")
    var maxRate: Double = 100_000

    func run() async throws {
        var exitCode: Int32 = 0
        try await CLI.run {
            if selfTest {
                exitCode = try await runSelfTest()
                return
            }
            let plan = try makePlan(rateOverride: nil)
            if findCapacity {
                exitCode = try await runCapacitySearch()
                return
            }
            let result = try await LoadOutput.run(plan, options: try runOptions(plan: plan), progress: progressPrinter(plan: plan))
            exitCode = try report(result)
        }
        if exitCode != 0 { throw ExitCode(exitCode) }
    }

    func runOptions(plan: LoadPlan) throws -> RunOptions {
        var options = RunOptions()
        options.targetDescription = url ?? target ?? scenario ?? ""
        if let eventLoops {
            guard (1...64).contains(eventLoops) else { throw UsageError("--event-loops must be 1...64") }
            options.eventLoops = eventLoops
        }
        if let segment {
            let parts = segment.split(separator: "/").compactMap { Int($0) }
            guard parts.count == 2, parts[1] >= 1, parts[1] <= 1000, (1...parts[1]).contains(parts[0]) else {
                throw UsageError("--segment must be i/n with 1 <= i <= n, e.g. --segment 1/2")
            }
            options.segmentIndex = parts[0] - 1
            options.segmentCount = parts[1]
        }
        if let startAt {
            let date = Double(startAt).map { Date(timeIntervalSince1970: $0) } ?? ISO8601DateFormatter().date(from: startAt)
            guard let date else { throw UsageError("--start-at must be ISO 8601 (2026-01-01T10:00:00Z) or Unix seconds") }
            guard date.timeIntervalSinceNow < 3600 else { throw UsageError("--start-at is more than an hour away") }
            options.startAt = date
        }
        return options
    }

    func makePlan(rateOverride: Double?) throws -> LoadPlan {
        guard connections >= 1, connections <= 100_000 else { throw UsageError("--connections must be 1...100000") }
        guard maxInFlight >= 1 else { throw UsageError("--max-in-flight must be at least 1") }
        guard maxRequests >= 1 else { throw UsageError("--max-requests must be at least 1") }
        var thresholds: [Threshold] = []
        if let slo {
            do { thresholds = try Threshold.parseList(slo) } catch { throw UsageError(error.message) }
        }
        var plan: LoadPlan
        switch (url, scenario) {
        case (nil, nil):
            throw UsageError("give a URL (surge load http://127.0.0.1:8080/) or --scenario FILE|NAME, or --self-test")
        case (.some, .some):
            throw UsageError("give either a URL or --scenario, not both")
        case (let url?, nil):
            guard let durationNanos = LoadTest.DurationText.nanos(duration), durationNanos > 0, durationNanos <= 24 * 3_600_000_000_000 else {
                throw UsageError("--duration must be like 30s, 2m or 1h (at most 24h)")
            }
            if let rate = rateOverride ?? rate, !(rate > 0 && rate <= 10_000_000) { throw UsageError("--rate must be in (0, 10000000]") }
            var parsedHeaders: [(String, String)] = []
            for header in headers {
                guard let colon = header.firstIndex(of: ":") else { throw UsageError("--header must be \"Name: value\", got \"\(header)\"") }
                parsedHeaders.append((String(header[..<colon]).trimmingCharacters(in: .whitespaces),
                                      String(header[header.index(after: colon)...]).trimmingCharacters(in: .whitespaces)))
            }
            do {
                plan = try singleURLPlan(url: url, ratePerSecond: rateOverride ?? rate, durationNanos: durationNanos, connections: connections,
                                         maxInFlight: maxInFlight, poissonSeed: poisson ? seed : nil, method: method,
                                         headers: parsedHeaders, body: body, thresholds: thresholds)
            } catch let error as PlanError {
                throw UsageError(error.description)
            } catch let error as TemplateSyntaxError {
                throw UsageError(error.message)
            }
        case (nil, let scenario?):
            plan = try scenarioPlan(scenario, rateOverride: rateOverride)
            plan.thresholds += thresholds
            if rateOverride != nil || rate != nil, BuiltinScenarios.names.contains(scenario) == false {
                throw UsageError("--rate applies to single-URL mode and built-in scenarios; set rates in the scenario file")
            }
        }
        plan.maxRequests = maxRequests
        plan.insecureTLS = insecure
        plan.maxScheduleLagNanos = Int64(maxScheduleLagMs * 1_000_000)
        if let timeout {
            guard let nanos = LoadTest.DurationText.nanos(timeout), nanos > 0, nanos <= 600_000_000_000 else {
                throw UsageError("--timeout must be like 10s (at most 10m)")
            }
            plan.requestTimeoutNanos = nanos
        }
        for endpoint in plan.phases.flatMap({ $0.journeys.flatMap { $0.steps.map(\.endpoint) } }) where !endpoint.isLoopback && !allowRemote {
            throw UsageError("\(endpoint) is not on loopback; pass --allow-remote if you really mean to load-test it")
        }
        return plan
    }

    func scenarioPlan(_ scenario: String, rateOverride: Double?) throws -> LoadPlan {
        if BuiltinScenarios.names.contains(scenario) {
            guard let target else {
                throw UsageError("built-in scenario \(scenario) needs --target, e.g. --target http://127.0.0.1:8080")
            }
            guard products >= 1, products <= 10_000_000 else { throw UsageError("--products must be 1...10000000") }
            let rate = rateOverride ?? self.rate ?? 20
            guard rate > 0, rate <= 1_000_000 else { throw UsageError("--rate must be in (0, 1000000]") }
            guard let yaml = BuiltinScenarios.yaml(named: scenario, target: target, ratePerSecond: rate, products: products) else {
                throw UsageError("unknown built-in scenario \(scenario)")
            }
            do {
                return try ScenarioParser(file: "builtin:\(scenario)").parse(yaml)
            } catch {
                throw UsageError(error.description)
            }
        }
        guard let data = FileManager.default.contents(atPath: scenario), let yaml = String(data: data, encoding: .utf8) else {
            throw UsageError("cannot read scenario file \(scenario) (built-ins: \(BuiltinScenarios.names.joined(separator: ", ")))")
        }
        do {
            return try ScenarioParser(file: scenario, targetOverride: target).parse(yaml)
        } catch {
            throw UsageError(error.description)
        }
    }

    func progressPrinter(plan: LoadPlan) -> (@Sendable (LiveSnapshot, Double) -> Void)? {
        LoadOutput.progressPrinter(quiet: quiet, totalSeconds: Double(plan.durationNanos) / 1e9)
    }

    /// Prints the summary, writes the files, and returns the exit code of the verdict.
    func report(_ result: RunResult) throws -> Int32 {
        try LoadOutput.write(result, json: json, html: html, quiet: quiet)
        return result.verdict?.exitCode ?? 0
    }

    func runSelfTest() async throws -> Int32 {
        let period = Duration.seconds(10)
        let freeze = Duration.seconds(1)
        print("self-test: stall server frozen 1 s in every 10 s, 200 arrivals/s for 30 s after a 3 s warm-up; true p99 = 900 ms")
        let outcome = try await SelfTest.run(period: period, freeze: freeze, cycles: 3, ratePerSecond: 200,
                                             progress: LoadOutput.progressPrinter(quiet: quiet, totalSeconds: 33))
        try LoadOutput.write(outcome.result, json: json, html: html, quiet: quiet)
        let error = (Double(outcome.measuredP99Micros) / Double(outcome.expectedP99Micros) - 1) * 100
        if !outcome.passed && !outcome.generatorKeptUp {
            print("self-test: the generator fell behind its own schedule (machine too busy): FAIL")
            return Verdict.generatorLimitedExitCode
        }
        print(String(format: "self-test: measured p99 %@ vs true %@ (%+.1f%%, allowed ±5%%): %@",
                     Format.micros(outcome.measuredP99Micros), Format.micros(outcome.expectedP99Micros), error,
                     outcome.passed ? "PASS" : "FAIL"))
        return outcome.passed ? 0 : 1
    }

    func runCapacitySearch() async throws -> Int32 {
        guard slo != nil else { throw UsageError("--find-capacity needs --slo, e.g. --slo \"p99<300ms,errors<1%\"") }
        guard url != nil || (scenario.map { BuiltinScenarios.names.contains($0) } ?? false) else {
            throw UsageError("--find-capacity works with a URL or a built-in scenario (it sets the rate)")
        }
        guard let stepNanos = LoadTest.DurationText.nanos(stepDuration), stepNanos >= 1_000_000_000, stepNanos <= 600_000_000_000 else {
            throw UsageError("--step-duration must be 1s...10m, e.g. 10s")
        }
        var search = CapacitySearch(startRate: rate ?? 50, maxRate: maxRate)
        while let rate = search.next() {
            var plan = try makePlan(rateOverride: rate)
            if url != nil {
                plan.phases[0].executor = .arrivals(kind: "constant-arrival-rate",
                                                    profile: .constant(ratePerSecond: rate, durationNanos: stepNanos), poissonSeed: poisson ? seed : nil)
            }
            let result = try await LoadOutput.run(plan, options: try runOptions(plan: plan))
            let phase = result.phases.reduce(into: LatencyHistogram()) { $0.merge($1.latency) }
            let attempts = result.phases.reduce(0) { $0 + $1.attempts }
            let failures = result.phases.reduce(0) { $0 + $1.attempts - $1.counts.successes }
            let passed = result.verdict?.exitCode == 0
            search.record(.init(ratePerSecond: rate, passed: passed, p99Micros: phase.percentile(99),
                                errorRate: attempts == 0 ? 0 : Double(failures) / Double(attempts)))
            if !quiet {
                print(String(format: "rate %8.1f/s  p99 %@  errors %.2f%%  %@", rate, Format.micros(phase.percentile(99)),
                             attempts == 0 ? 0 : Double(failures) / Double(attempts) * 100, result.verdict?.summary ?? ""))
            }
        }
        if let best = search.highestPassing {
            print(String(format: "capacity: %.1f arrivals/s meet the SLO (p99 %@)", best.ratePerSecond, Format.micros(best.p99Micros)))
        } else {
            print("capacity: no tried rate met the SLO (lowest tried \(search.points.map(\.ratePerSecond).min() ?? 0)/s)")
        }
        if let knee = search.knee {
            print(String(format: "latency knee: p99 more than doubles by %.1f/s (p99 %@)", knee.ratePerSecond, Format.micros(knee.p99Micros)))
        }
        return search.highestPassing == nil ? 1 : 0
    }
}
