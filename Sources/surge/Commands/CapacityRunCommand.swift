import ArgumentParser
import Capacity
import Database
import Foundation
import LoadTest

/// `surge capacity [run]`: the ramp, the fit after every step, the evidence and the report.
struct CapacityRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Ramp open-model rates and closed-loop concurrency against a target and predict its peak (the default: `surge capacity --target URL`).",
        discussion: CapacityCommand.configuration.discussion
    )

    @Option(help: "Target: a base URL for --scenario, or the one URL to GET without it.")
    var target: String?

    @Option(help: "Scenario file (YAML; its first scenario's journeys), or a built-in: \(BuiltinScenarios.names.joined(separator: ", ")).")
    var scenario: String?

    @Option(help: "Most load steps (default 12, or every --levels entry; levels 1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, … in flight).")
    var steps: Int?

    @Option(help: "Concurrency levels instead of the default sequence, comma-separated, e.g. 1,2,4,8,16.")
    var levels: String?

    @Option(help: "Open-model rate steps before the closed-loop ones: req/s comma-separated (e.g. 50,100,200), or auto (from --start-rate, doubling, up to --stop-at-fraction, default 0.5, of the predicted peak).")
    var rates: String?

    @Flag(help: "After the rate steps (if any), paced steps: cores + 1 users working back to back for 10%, 20%, 40%… of every second, up to 0.9 × --stop-at-fraction of the peak (rate steps before them stop at 0.6 ×: they only measure the idle work); the prediction then comes from their demand bound, over the steps at or below the fraction of what it predicts (CPU per request measured with the server busy, as at the peak, from a fraction of its load). Needs a target on this host or --database-url.")
    var paced = false

    @Option(help: "The period paced steps work a share of (default 1s; 50ms...5s; keep several in a step).")
    var pacedPeriod: String = "1s"

    @Option(help: "First rate of --rates auto, in journeys per second (default 25).")
    var startRate: Double = 25

    @Option(help: "Length of each step, e.g. 20s (default 20s; the first 20% of it, at most 5 s, is an unmeasured warm-up).")
    var stepDuration: String = "20s"

    @Option(help: "Stop once measured throughput reaches this share of the predicted peak (after ≥ 4 steps), e.g. 0.5.")
    var stopAtFraction: Double?

    @Flag(help: "Continue to saturation after the prediction and print predicted against measured.")
    var validate = false

    @Option(help: "PostgreSQL URL: sample active backends, wait events and statement time (pg_stat_statements) per step.")
    var databaseUrl: String?

    @Option(help: "Database cores for the limiting-resource rule and pool sizing (default: this host's cores).")
    var databaseCores: Int?

    @Option(help: "The store's Prometheus /metrics URL: pool waiters, admission rejections, lock waits per step.")
    var storeMetrics: String?

    @Option(help: "p99 latency objective for the knee, e.g. 300ms (default 500ms).")
    var sloP99: String = "500ms"

    @Option(help: "Size for a target peak: a multiple of the measured peak (5x) or req/s (2000).")
    var peak: String?

    @Option(help: "Products in the store (built-in scenarios draw ids 1...N, default 100).")
    var products: Int = 100

    @Option(help: "Event loops (threads) driving requests (default: one per core).")
    var eventLoops: Int?

    @Option(help: "Write the self-contained HTML report here.")
    var html: String?

    @Option(help: "Write the versioned JSON report here.")
    var json: String?

    @Flag(help: "No progress lines; only the report.")
    var quiet = false

    @Flag(help: "Allow a target that is not on loopback (127.0.0.0/8, ::1, localhost).")
    var allowRemote = false

    func run() async throws {
        var exitCode: Int32 = 0
        try await CLI.run {
            exitCode = try await ramp()
        }
        if exitCode != 0 { throw ExitCode(exitCode) }
    }

    func ramp() async throws -> Int32 {
        guard let target else { throw UsageError("give --target URL (a base URL with --scenario, or the URL to GET)") }
        guard let stepNanos = LoadTest.DurationText.nanos(stepDuration), stepNanos >= 500_000_000, stepNanos <= 600_000_000_000 else {
            throw UsageError("--step-duration must be 500ms...10m, e.g. 20s")
        }
        if let stopAtFraction, !(stopAtFraction > 0 && stopAtFraction < 1) { throw UsageError("--stop-at-fraction must be in (0, 1), e.g. 0.5") }
        let objective = try CapacityOutput.seconds(sloP99, flag: "--slo-p99")
        let peak = try CapacityOutput.peak(self.peak)
        var chosenLevels = RampState.defaultLevels
        if let levels {
            let parsed = levels.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !parsed.isEmpty, parsed.allSatisfy({ ($0 ?? 0) >= 1 && ($0 ?? 0) <= 10_000 }) else {
                throw UsageError("--levels must be comma-separated concurrencies 1...10000, e.g. 1,2,4,8")
            }
            chosenLevels = parsed.compactMap { $0 }
        }
        guard chosenLevels.count >= 4 else { throw UsageError("--levels needs at least 4 levels for the fit, e.g. 1,2,4,8") }
        let stepCount = steps ?? (levels == nil ? 12 : chosenLevels.count)
        guard stepCount >= 4, stepCount <= chosenLevels.count else { throw UsageError("--steps must be 4...\(chosenLevels.count) (at least 4 levels for the fit)") }
        chosenLevels = Array(chosenLevels.prefix(stepCount))
        let plan = try scenarioPlan(target: target)
        for endpoint in plan.phases.flatMap({ $0.journeys.flatMap { $0.steps.map(\.endpoint) } }) where !endpoint.isLoopback && !allowRemote {
            throw UsageError("\(endpoint) is not on loopback; pass --allow-remote if you really mean to load-test it")
        }
        let loops = eventLoops ?? ProcessCPU.cores
        guard (1...64).contains(loops) else { throw UsageError("--event-loops must be 1...64") }
        let endpoints = plan.phases.flatMap { $0.journeys.flatMap { $0.steps.map(\.endpoint) } }
        let local = endpoints.allSatisfy(\.isLoopback)
        // CPU by process: the store listening on the target's port, PostgreSQL (postmaster and backends) on the
        // database URL's port; found by port because other stores and servers may share this host.
        var processes: [ProcessGroup] = []
        if local, let port = endpoints.first?.port, let store = ProcessGroup.listening(on: port, name: "surge", includeChildren: false) {
            processes.append(store)
        }
        if let databaseUrl, let url = try? DatabaseURL(databaseUrl), ["127.0.0.1", "localhost", "::1"].contains(url.host),
           let postgres = ProcessGroup.listening(on: url.port, name: "postgres", includeChildren: true) {
            processes.append(postgres)
        }
        let rateSteps = try parseRates()
        let cores = databaseCores ?? ProcessCPU.cores
        // The bottleneck law's resources: the cores the store and PostgreSQL run on (and the generator, when it
        // shares them), PostgreSQL's statement time on the database's cores, and the store's pool (from /metrics).
        var resources = DemandResources(databaseCores: databaseUrl == nil ? nil : Double(cores))
        if local {
            let generator = ProcessGroup(name: "generator", rootPID: getpid(), includeChildren: false)
            if let cpu = CPUAffinity.resources(server: processes, generator: generator, online: ProcessCPU.cores) {
                resources.cpuCores = cpu.cores
                resources.cpuProcesses = cpu.processes
                if cpu.processes.contains(generator.name) { processes.append(generator) }
            }
        }
        guard let pacePeriodNanos = LoadTest.DurationText.nanos(pacedPeriod), (50_000_000...5_000_000_000).contains(pacePeriodNanos) else {
            throw UsageError("--paced-period must be 50ms...5s, e.g. 1s")
        }
        if paced && resources.cpuCores == nil && resources.databaseCores == nil {
            throw UsageError("--paced measures service demand from CPU or statement time: run against a target on this host, or give --database-url")
        }
        let state = RampState(levels: chosenLevels, rates: rateSteps, paced: paced, resources: resources,
                              stopAtFraction: stopAtFraction ?? (validate ? 0.5 : nil), validate: validate)
        if !quiet {
            FileHandle.standardError.write(Data("ramp: up to \(chosenLevels.count) steps of \(stepDuration) at \(chosenLevels.map(String.init).joined(separator: ", ")) in flight\n".utf8))
        }
        let finished: RampState
        if let databaseUrl {
            finished = try await DatabaseSampler.with(url: databaseUrl, logger: CLI.logger) { sampler in
                try await runSteps(plan: plan, stepNanos: stepNanos, pacePeriodNanos: pacePeriodNanos, loops: loops, state: state,
                                   evidence: EvidenceCollector(processes: processes, hostCPU: local, metricsURL: storeMetrics, database: sampler), target: target)
            }
        } else {
            finished = try await runSteps(plan: plan, stepNanos: stepNanos, pacePeriodNanos: pacePeriodNanos, loops: loops, state: state,
                                          evidence: EvidenceCollector(processes: processes, hostCPU: local, metricsURL: storeMetrics), target: target)
        }
        let outcome: RampOutcome
        do {
            outcome = try RampOutcome.make(finished, target: target, p99Objective: objective, databaseCores: cores, peakMultiplier: peak.multiplier)
        } catch let error as FitError {
            // Unbuffered, so the table comes before the one-line error on a terminal.
            FileHandle.standardOutput.write(Data((CapacityText.stepTable(finished.steps) + "\n").utf8))
            throw UsageError(error.description)
        }
        switch outcome {
        case .aborted(let line):
            FileHandle.standardError.write(Data(("surge: " + line + "\n").utf8))
            return Verdict.generatorLimitedExitCode
        case .report(var report):
            if let absolute = peak.absolute {
                report.sizing = CapacitySizing.make(estimate: report.estimate, steps: report.steps, databaseCores: cores,
                                                    limiting: report.limitingResource, targetThroughput: absolute)
            }
            try CapacityOutput.write(report, json: json, html: html)
            return 0
        }
    }

    /// `--rates`: nil, a list of rates, or the automatic doubling.
    func parseRates() throws -> RateSteps? {
        guard let rates else { return nil }
        guard startRate > 0, startRate <= 1_000_000 else { throw UsageError("--start-rate must be 0...1000000 req/s, e.g. 25") }
        if rates == "auto" { return .automatic(start: startRate, maximumSteps: 12) }
        let parsed = rates.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard !parsed.isEmpty, parsed.allSatisfy({ ($0 ?? 0) > 0 && ($0 ?? 0) <= 1_000_000 }) else {
            throw UsageError("--rates must be auto or comma-separated req/s above 0, e.g. 50,100,200")
        }
        return .fixed(parsed.compactMap { $0 })
    }

    func runSteps(plan: LoadPlan, stepNanos: Int64, pacePeriodNanos: Int64, loops: Int, state: RampState, evidence: EvidenceCollector,
                  target: String) async throws -> RampState {
        var runner = RampRunner(scenario: plan, stepDurationNanos: stepNanos, eventLoops: loops, evidence: evidence, targetDescription: target)
        runner.pacePeriodNanos = pacePeriodNanos
        let quiet = self.quiet
        let terminal = isatty(STDERR_FILENO) == 1
        let total = state.levels.count
        let onStep: @Sendable (StepMeasurement, RampState) -> Void = { step, current in
            guard !quiet else { return }
            var line = "step \(step.step)" + (current.rates == nil && !current.paced ? "/\(total)" : "") + ": " + CapacityText.row(step).dropFirst().joined(separator: "  ")
            if current.predictionSteps == step.step, let peak = current.predictedPeak {
                line += String(format: "  → predicted peak %.0f req/s", peak)
                if let bound = current.demandBound?.limiting { line += String(format: " (demand bound %.0f: %@)", bound.bound, bound.label) }
                if current.predictionUsedSteps < current.predictionSteps {
                    line += " from the \(current.predictionUsedSteps) steps at or below the fraction"
                }
            }
            FileHandle.standardError.write(Data(((terminal ? "\r\u{1B}[K" : "") + line + "\n").utf8))
        }
        var progress: (@Sendable (LiveSnapshot, Double) -> Void)?
        if !quiet && terminal {
            progress = { snapshot, elapsed in
                let line = String(format: "  %.0fs: %d ok, %d errors, %d in flight", elapsed, snapshot.successes, snapshot.errors, snapshot.inFlight)
                FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
            }
        }
        do {
            return try await runner.run(state, onStep: onStep, progress: progress)
        } catch let error as PlanError {
            throw UsageError(error.description)
        }
    }

    /// The journeys each step runs: a built-in scenario, a scenario file's first scenario, or GET `target`.
    func scenarioPlan(target: String) throws -> LoadPlan {
        guard let scenario else {
            do {
                return try singleURLPlan(url: target, ratePerSecond: nil, durationNanos: 1_000_000_000, connections: 1)
            } catch let error as PlanError {
                throw UsageError(error.description)
            }
        }
        let yaml: String
        let file: String
        if BuiltinScenarios.names.contains(scenario) {
            guard products >= 1, products <= 10_000_000 else { throw UsageError("--products must be 1...10000000") }
            guard let text = BuiltinScenarios.yaml(named: scenario, target: target, ratePerSecond: 1, products: products) else {
                throw UsageError("unknown built-in scenario \(scenario)")
            }
            yaml = text
            file = "builtin:\(scenario)"
        } else {
            yaml = try CapacityOutput.readText(scenario)
            file = scenario
        }
        do {
            return try ScenarioParser(file: file, targetOverride: BuiltinScenarios.names.contains(scenario) ? nil : target).parse(yaml)
        } catch {
            throw UsageError(error.description)
        }
    }
}
