/// Pool size and instance count from a fit and its evidence.
public struct CapacitySizing: Sendable, Equatable, Codable {
    /// HikariCP's rule of thumb: connections = cores × 2 + effective spindles (1 for SSD / cached data).
    public var hikariPoolSize: Int
    /// The pool this report suggests, and why.
    public var suggestedPoolSize: Int
    public var poolReason: String
    /// Target peak throughput (req/s) and what it takes.
    public var targetThroughput: Double?
    public var instancesNeeded: Int?
    public var instancesReason: String?

    public static func make(estimate: CapacityEstimate, steps: [StepMeasurement], databaseCores: Int, limiting: LimitingResource?,
                            targetThroughput: Double?) -> CapacitySizing {
        let hikari = databaseCores * 2 + 1
        var suggested = hikari
        var reason = "HikariCP's cores × 2 + 1 with \(databaseCores) database cores"
        let nearPeak = estimate.peakLoad.flatMap { peak in steps.min { abs(Double($0.concurrency) - peak) < abs(Double($1.concurrency) - peak) } }
        if let active = nearPeak?.evidence.activeBackends, let step = nearPeak {
            let needed = max(1, Int(active.rounded(.up)))
            suggested = min(hikari, max(needed, databaseCores))
            reason = "\(Format.number(active)) backends were active at step \(step.step) (\(step.concurrency) in flight, nearest N*); "
                + "HikariCP's cores × 2 + 1 = \(hikari): connections beyond the cores only queue inside PostgreSQL"
        } else if let peakLoad = estimate.peakLoad {
            suggested = max(1, min(hikari, Int(peakLoad.rounded(.up))))
            reason = "the lesser of N* ≈ \(Format.number(peakLoad)) (throughput falls beyond it) and HikariCP's cores × 2 + 1 = \(hikari)"
        }
        var sizing = CapacitySizing(hikariPoolSize: hikari, suggestedPoolSize: suggested, poolReason: reason)
        if let target = targetThroughput, let ceiling = estimate.ceilingThroughput, ceiling > 0 {
            sizing.targetThroughput = target
            let ratio = target / ceiling
            let databaseBound = limiting.map { ["postgres_cpu", "lock_waits", "pool_waiters"].contains($0.resource) } ?? false
            if databaseBound {
                sizing.instancesNeeded = nil
                sizing.instancesReason = "\(Format.number(target)) req/s is \(String(format: "%.1f", ratio))× the predicted ceiling of "
                    + "\(Format.number(ceiling)), and the database limits (\(limiting?.sentence ?? "")): more store instances will not help; "
                    + "PostgreSQL needs about \(Int((Double(databaseCores) * ratio).rounded(.up))) cores, or the load must leave it (cache listings, read replicas)"
            } else {
                let instances = max(1, Int(ratio.rounded(.up)))
                sizing.instancesNeeded = instances
                var text = "\(Format.number(target)) req/s over a predicted \(Format.number(ceiling)) per instance: \(instances) instance\(instances == 1 ? "" : "s")"
                if let last = steps.last, let dbSeconds = last.evidence.databaseSecondsPerSecond, last.throughput > 0 {
                    // Statement time per request stays about constant below saturation: scale it to the target.
                    let needed = dbSeconds / last.throughput * target
                    text += ", if PostgreSQL keeps up: about \(Format.number(needed)) DB-seconds per second (busy cores) at that rate"
                }
                sizing.instancesReason = text
            }
        }
        return sizing
    }
}
