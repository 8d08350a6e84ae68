import Telemetry
import NIOCore
import NIOPosix
import Synchronization

/// Gathers `StepEvidence` around one step from whichever sources were given: /proc on this host,
/// the store's /metrics, and PostgreSQL. A source that fails is left out of the step, not fatal.
public struct EvidenceCollector: Sendable {
    /// Local processes whose CPU is measured (the store and PostgreSQL behind the target's ports).
    public var processes: [ProcessGroup]
    /// Measure the host's busy cores (only meaningful when the target runs on this host).
    public var hostCPU: Bool
    public var metricsURL: String?
    public var database: DatabaseSampler?
    /// How often pg_stat_activity and /metrics are sampled during a step.
    public var sampleInterval: Duration = .milliseconds(250)

    public init(processes: [ProcessGroup] = [], hostCPU: Bool = false, metricsURL: String? = nil, database: DatabaseSampler? = nil) {
        self.processes = processes
        self.hostCPU = hostCPU
        self.metricsURL = metricsURL
        self.database = database
    }

    /// Runs `body` (the step) while sampling, and returns its value with the evidence.
    public func measure<T: Sendable>(group: any EventLoopGroup, _ body: () async throws -> T) async throws -> (T, StepEvidence) {
        let cpuStart = hostCPU || !processes.isEmpty ? ProcessCPU.snapshot(groups: processes) : nil
        let statementStart = await database?.statementSeconds()
        let rejectedStart = await rejectedTotal(group: group)
        let samples = Mutex(Samples())
        let sampler = Task {
            while !Task.isCancelled {
                if let database, let activity = try? await database.activity() {
                    samples.withLock { $0.add(activity) }
                }
                if let metricsURL, let text = try? await MetricsScrape.fetch(url: metricsURL, group: group) {
                    let page = PrometheusText(text)
                    samples.withLock { $0.add(page) }
                }
                try? await Task.sleep(for: sampleInterval)
            }
        }
        let started = ContinuousClock.now
        let value: T
        do {
            value = try await body()
        } catch {
            sampler.cancel()
            throw error
        }
        sampler.cancel()
        _ = await sampler.value
        let elapsed = ContinuousClock.now - started
        let wallSeconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        var evidence = samples.withLock { $0.evidence() }
        if let cpuStart, let cpuEnd = ProcessCPU.snapshot(groups: processes) {
            let used = ProcessCPU.cores(from: cpuStart, to: cpuEnd)
            if !processes.isEmpty { evidence.processCores = used.byCommand }
            if hostCPU {
                evidence.hostBusyCores = used.host
                evidence.hostCores = ProcessCPU.cores
            }
        }
        if let statementStart, let statementEnd = await database?.statementSeconds(), wallSeconds > 0 {
            evidence.databaseSecondsPerSecond = max(0, statementEnd - statementStart) / wallSeconds
        }
        if let rejectedStart, let rejectedEnd = await rejectedTotal(group: group) {
            evidence.admissionRejected = max(0, rejectedEnd - rejectedStart)
        }
        return (value, evidence)
    }

    private func rejectedTotal(group: any EventLoopGroup) async -> Double? {
        guard let metricsURL, let text = try? await MetricsScrape.fetch(url: metricsURL, group: group) else { return nil }
        return PrometheusText(text).sum(MetricSeries.admissionRejected) ?? 0
    }

    /// Running aggregates of the in-step samples.
    struct Samples: Sendable {
        var activityCount = 0
        var activeSum = 0
        var waitSums: [String: Int] = [:]
        var poolWaitersMax: Double?
        var lockWaitsMax: Double?
        var poolInUseSum = 0.0
        var poolInUseCount = 0
        var poolCapacityMax: Double?

        mutating func add(_ activity: (active: Int, waits: [String: Int])) {
            activityCount += 1
            activeSum += activity.active
            waitSums.merge(activity.waits, uniquingKeysWith: +)
        }

        mutating func add(_ page: PrometheusText) {
            if let waiters = page.sum(MetricSeries.poolWaiters) { poolWaitersMax = max(poolWaitersMax ?? 0, waiters) }
            if let locks = page.sum(MetricSeries.lockWaits) { lockWaitsMax = max(lockWaitsMax ?? 0, locks) }
            if let inUse = page.sum(MetricSeries.poolConnections, matching: ["state": "in_use"]) {
                poolInUseSum += inUse
                poolInUseCount += 1
            }
            if let size = page.sum(MetricSeries.poolCapacity) { poolCapacityMax = max(poolCapacityMax ?? 0, size) }
        }

        func evidence() -> StepEvidence {
            var evidence = StepEvidence()
            if activityCount > 0 {
                evidence.activeBackends = Double(activeSum) / Double(activityCount)
                evidence.waitEvents = waitSums.mapValues { Double($0) / Double(activityCount) }
            }
            evidence.poolWaiters = poolWaitersMax
            evidence.lockWaits = lockWaitsMax
            if poolInUseCount > 0 { evidence.poolInUse = poolInUseSum / Double(poolInUseCount) }
            evidence.poolCapacity = poolCapacityMax
            return evidence
        }
    }
}

/// The store's series the ramp reads (names as Sources/Telemetry/Metrics and Guard register them).
public enum MetricSeries {
    public static let poolWaiters = "surge_db_pool_waiters"
    public static let admissionRejected = "surge_admission_rejected_total"
    public static let lockWaits = "surge_pg_lock_waits"
    public static let poolConnections = "surge_db_pool_connections"
    public static let poolCapacity = "surge_db_pool_max_connections"
}
