/// The operational laws' bound on throughput, from service demands measured at low load.
///
/// The utilization law gives each resource's busy share as U = U₀ + X·D (U₀: what keeps it busy with
/// no requests, such as samplers and background workers; D: its service demand, seconds of it per
/// request). The bottleneck law then caps throughput at X ≤ min over resources of capacity / D: no
/// load pattern gets more out of the system than its most-demanded resource can give. D is the
/// least-squares slope of U against X over the measured steps (the ratio U/X with one step).
public struct DemandBound: Sendable, Equatable, Codable {
    /// One resource: what it can give, what each request takes, and the throughput that allows.
    public struct Resource: Sendable, Equatable, Codable {
        /// `cpu`, `statements`, `pool`.
        public var name: String
        /// How it reads in a sentence ("CPU of surge + postgres on 1 core").
        public var label: String
        /// Units of it available: cores, connections.
        public var capacity: Double
        /// Its busy units with no load (the regression's intercept).
        public var idle: Double
        /// Seconds of it per request.
        public var demandSeconds: Double
        /// (capacity − idle) / demand: requests per second it can serve.
        public var bound: Double
    }

    /// Every resource with a positive demand, tightest first.
    public var resources: [Resource]
    /// Steps the demands were measured on.
    public var fromSteps: Int
    /// Cores other processes on this host kept busy during those steps (host busy less the measured
    /// groups): the bound assumes the cores are the server's, so on a shared host it is optimistic.
    public var otherProcessesCores: Double?

    /// The resource the bottleneck law names.
    public var limiting: Resource? { resources.first }
    /// The bound: throughput no load reaches.
    public var throughput: Double? { limiting?.bound }

    /// The bound from `steps` for the `resources` `DemandResources` describes; nil without a positive demand.
    ///
    /// `idleAnchors` are steps measured in another regime (open-model rate steps near zero load, under paced
    /// steps): they share the regression's intercept, the idle work, which they pin best, but not its
    /// slope, which comes from `steps` alone. Measured on the store (BENCHMARKS.md): paced steps alone read
    /// the idle work at 0.00–0.09 cores and their bound erred by 9.5% on average over 16 ramps; recomputed
    /// with the rate steps anchoring it, 6.5% on the same ramps and 8.1% on six fresh ones.
    public static func estimate(_ steps: [StepMeasurement], _ described: DemandResources,
                                idleAnchors: [StepMeasurement] = []) -> DemandBound? {
        let measured = steps.filter { $0.throughput > 0 }
        guard !measured.isEmpty else { return nil }
        var found: [Resource] = []
        func add(_ name: String, _ label: String, capacity: Double?, _ busy: (StepMeasurement) -> Double?) {
            guard let capacity, capacity > 0 else { return }
            let points = measured.compactMap { step in busy(step).map { (x: step.throughput, u: $0) } }
            let anchors = idleAnchors.filter { $0.throughput > 0 }.compactMap { step in busy(step).map { (x: step.throughput, u: $0) } }
            guard let (idle, demand) = Self.anchoredLine(points, anchors: anchors), demand > 0 else { return }
            let usable = capacity - max(0, idle)
            guard usable > 0 else { return }
            found.append(Resource(name: name, label: label, capacity: capacity, idle: max(0, idle), demandSeconds: demand, bound: usable / demand))
        }
        if let cores = described.cpuCores, !described.cpuProcesses.isEmpty {
            let names = described.cpuProcesses
            add("cpu", "CPU of \(names.joined(separator: " + ")) on \(Format.number(cores)) core\(cores == 1 ? "" : "s")", capacity: cores) { step in
                guard let used = step.evidence.processCores, names.contains(where: { used[$0] != nil }) else { return nil }
                return names.reduce(0) { $0 + (used[$1] ?? 0) }
            }
        }
        add("statements", "PostgreSQL statement time on \(Format.number(described.databaseCores ?? 0)) cores",
            capacity: described.databaseCores) { $0.evidence.databaseSecondsPerSecond }
        let poolSize = measured.compactMap(\.evidence.poolCapacity).max()
        add("pool", "the store's pool of \(Format.number(poolSize ?? 0)) connections", capacity: poolSize) { $0.evidence.poolInUse }
        guard !found.isEmpty else { return nil }
        let others = measured.compactMap { step -> Double? in
            guard let busy = step.evidence.hostBusyCores, let used = step.evidence.processCores else { return nil }
            return max(0, busy - used.values.reduce(0, +))
        }
        return DemandBound(resources: found.sorted { $0.bound < $1.bound }, fromSteps: measured.count,
                           otherProcessesCores: others.isEmpty ? nil : others.reduce(0, +) / Double(others.count))
    }

    /// U = idle + X·demand for `points` and U = idle + X·d' for `anchors`, by least squares with the
    /// intercept shared: returns the shared idle and the points' demand. Without anchors, `utilizationLine`.
    /// Nil when the groups together leave the intercept undetermined (no spread in X).
    static func anchoredLine(_ points: [(x: Double, u: Double)], anchors: [(x: Double, u: Double)]) -> (idle: Double, demand: Double)? {
        guard !points.isEmpty, !anchors.isEmpty else { return utilizationLine(points) }
        func sums(_ group: [(x: Double, u: Double)]) -> (s: Double, q: Double, c: Double) {
            group.reduce((0, 0, 0)) { ($0.0 + $1.x, $0.1 + $1.x * $1.x, $0.2 + $1.x * $1.u) }
        }
        let p = sums(points), r = sums(anchors)
        guard p.q > 0, r.q > 0 else { return nil }
        let n = Double(points.count + anchors.count)
        let total = (points + anchors).reduce(0) { $0 + $1.u }
        // Setting the three partial derivatives to zero: each slope given the intercept, then the intercept.
        let denominator = n - p.s * p.s / p.q - r.s * r.s / r.q
        guard denominator > 1e-9 else { return nil }
        let idle = (total - p.c * p.s / p.q - r.c * r.s / r.q) / denominator
        return (idle, (p.c - idle * p.s) / p.q)
    }

    /// U = idle + X·demand by least squares; with one point (or no spread in X), through the origin.
    static func utilizationLine(_ points: [(x: Double, u: Double)]) -> (idle: Double, demand: Double)? {
        guard !points.isEmpty else { return nil }
        let n = Double(points.count)
        let meanX = points.reduce(0) { $0 + $1.x } / n
        let meanU = points.reduce(0) { $0 + $1.u } / n
        let sxx = points.reduce(0) { $0 + ($1.x - meanX) * ($1.x - meanX) }
        let sxu = points.reduce(0) { $0 + ($1.x - meanX) * ($1.u - meanU) }
        // Too little spread for a slope (less than a 2× range of rates): the ratio, which counts idle work as demand.
        let spread = (points.map(\.x).max() ?? 0) / max(points.map(\.x).min() ?? 0, 1e-9)
        if points.count < 2 || sxx <= 0 || spread < 2 {
            let totalX = points.reduce(0) { $0 + $1.x }
            return totalX > 0 ? (0, points.reduce(0) { $0 + $1.u } / totalX) : nil
        }
        let slope = sxu / sxx
        return (meanU - slope * meanX, slope)
    }
}

/// What the bottleneck law may count: the cores the server's processes run on and which measured
/// process groups share them, and the cores statement time may use.
public struct DemandResources: Sendable, Equatable, Codable {
    /// Cores available to `cpuProcesses` (the union of their CPU affinity, or the host's cores).
    public var cpuCores: Double?
    /// Measured process groups running on those cores (`surge`, `postgres`, and `generator` when it shares them).
    public var cpuProcesses: [String]
    /// Cores PostgreSQL's backends may use (its host's, or --database-cores).
    public var databaseCores: Double?

    public init(cpuCores: Double? = nil, cpuProcesses: [String] = [], databaseCores: Double? = nil) {
        self.cpuCores = cpuCores
        self.cpuProcesses = cpuProcesses
        self.databaseCores = databaseCores
    }
}
