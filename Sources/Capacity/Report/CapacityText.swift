import Foundation
import Reports

/// The terminal report: the steps, the fit, the peak, the knee, the limiting resource and sizing.
public enum CapacityText {
    public static func stepTable(_ steps: [StepMeasurement]) -> String {
        var table = TextTable(headers: ["step", "in flight", "req/s", "p50", "p95", "p99", "errors", "evidence"])
        for step in steps { table.append(row(step)) }
        return table.render()
    }

    /// One step as a table row (also the live line printed after each step).
    public static func row(_ step: StepMeasurement) -> [String] {
        [String(step.step), step.offeredRate.map { "rate \(Format.number($0))/s" } ?? step.pacedShare.map { "paced \(Format.percent($0))" + (step.pacedUsers.map { "×\($0)" } ?? "") } ?? String(step.concurrency), Format.number(step.throughput), Format.seconds(step.p50Seconds),
         Format.seconds(step.p95Seconds), Format.seconds(step.p99Seconds), String(format: "%.1f%%", step.errorRate * 100),
         evidenceSummary(step.evidence)]
    }

    static func evidenceSummary(_ evidence: StepEvidence) -> String {
        var parts: [String] = []
        if let active = evidence.activeBackends { parts.append("pg active \(Format.number(active))") }
        if let waits = evidence.waitEvents, let top = waits.max(by: { $0.value < $1.value }), top.value >= 0.1 {
            parts.append("waits \(top.key) \(Format.number(top.value))")
        }
        if let dbTime = evidence.databaseSecondsPerSecond { parts.append("db \(Format.number(dbTime)) s/s") }
        if let waiters = evidence.poolWaiters, waiters > 0 { parts.append("pool waiters \(Format.number(waiters))") }
        if let rejected = evidence.admissionRejected, rejected > 0 { parts.append("shed \(Format.number(rejected))") }
        if let cores = evidence.processCores {
            for name in cores.keys.sorted() where (cores[name] ?? 0) >= 0.05 {
                parts.append("\(name) \(String(format: "%.2f", cores[name] ?? 0)) cores")
            }
        }
        if let busy = evidence.hostBusyCores, let total = evidence.hostCores { parts.append("host \(String(format: "%.1f", busy))/\(total)") }
        return parts.joined(separator: ", ")
    }

    public static func render(_ report: CapacityReport) -> String {
        var lines: [String] = []
        if !report.steps.isEmpty { lines.append(stepTable(report.steps)) }
        lines.append(contentsOf: fitLines(report.estimate))
        if let bound = report.demandBound { lines.append(contentsOf: demandLines(bound)) }
        if let check = report.predictionCheck {
            let parts = [check.uslPeak.map { "USL peak \(Format.number($0))" }, check.demandBound.map { "demand bound \(Format.number($0))" }].compactMap { $0 }
            if parts.count == 2 { lines.append("on the prediction's steps: " + parts.joined(separator: ", ") + " req/s") }
            lines.append(String(format: "prediction from safe load: %@ steps (up to %@ of the predicted peak) predicted %@ req/s; measured %@ req/s at %d in flight%@: error %+.1f%%",
                                String(check.fromSteps), Format.percent(check.measuredShareAtPrediction), Format.number(check.predictedPeak),
                                Format.number(check.measuredPeak), check.measuredPeakLoad,
                                check.reachedSaturation ? "" : " (not saturated: the real peak may be higher)", check.errorPercent))
            if let rateBound = check.rateStepsBound, check.measuredPeak > 0 {
                lines.append(String(format: "  the open-model rate steps alone bounded it at %@ req/s (error %+.1f%%); the paced steps' bound is the prediction",
                                    Format.number(rateBound), (rateBound - check.measuredPeak) / check.measuredPeak * 100))
            }
            if check.measuredShareAtPrediction > 0.8 {
                // The fraction was passed in one jump (or the early fit was pessimistic): say that this was not safe load.
                lines.append("  note: the fraction was first reached at \(Format.percent(check.measuredShareAtPrediction)) of the prediction, so it came from near-peak load, not half of it")
            }
        } else if let prediction = report.prediction, let peak = prediction.peakThroughput {
            lines.append("stopped at \(Format.percent(report.estimate.measuredPeak / peak)) of the predicted peak (--stop-at-fraction); the peak itself was not measured")
        }
        if let limiting = report.limitingResource {
            lines.append("limiting resource: \(limiting.sentence)")
        } else if !report.steps.isEmpty {
            lines.append("limiting resource: no saturated resource in the evidence collected (add --database-url and --store-metrics, or run on the server's host)")
        }
        if let sizing = report.sizing {
            lines.append("pool size: \(sizing.suggestedPoolSize) (\(sizing.poolReason))")
            if let reason = sizing.instancesReason { lines.append("for \(Format.number(sizing.targetThroughput ?? 0)) req/s: \(reason)") }
        }
        return lines.joined(separator: "\n")
    }

    /// The bottleneck law, one line per resource, tightest first.
    public static func demandLines(_ bound: DemandBound) -> [String] {
        var lines = ["demand bound (operational laws, \(bound.fromSteps) steps): X ≤ min over resources of (capacity − idle) / demand per request"]
        for resource in bound.resources {
            lines.append(String(format: "  %@: %@ ms per request, idle %@ of %@ → at most %@ req/s%@", resource.label,
                                Format.number(resource.demandSeconds * 1000), Format.number(resource.idle), Format.number(resource.capacity),
                                Format.number(resource.bound), resource == bound.limiting ? "  ← limiting" : ""))
        }
        if let others = bound.otherProcessesCores, others >= 0.1 {
            lines.append("  note: other processes on this host kept \(Format.number(others)) cores busy meanwhile; the bound assumes the cores are the server's")
        }
        return lines
    }

    public static func fitLines(_ estimate: CapacityEstimate) -> [String] {
        let model = estimate.model
        let ci = estimate.intervals
        func range(_ interval: Interval) -> String { "[\(Format.number(interval.low)), \(Format.number(interval.high))]" }
        var lines = [
            "USL fit (\(estimate.points.count) points, RMS error \(Format.number(estimate.rootMeanSquaredError)) req/s; \(Format.percent(ci.level)) bootstrap intervals):",
            "  σ contention \(Format.number(model.sigma)) \(range(ci.sigma)), κ coherency \(Format.number(model.kappa)) \(range(ci.kappa)), λ \(Format.number(model.lambda)) req/s per unit of load \(range(ci.lambda))",
        ]
        if let peak = estimate.peakThroughput, let load = estimate.peakLoad {
            var line = "predicted peak: \(Format.number(peak)) req/s \(range(ci.ceilingThroughput)) at N* = \(Format.number(load))"
            if let peakCI = ci.peakLoad { line += " \(range(peakCI))" }
            line += " in flight"
            if ci.noPeakShare > 0 { line += "; \(Format.percent(ci.noPeakShare)) of resamples show no peak" }
            lines.append(line)
        } else if let bound = estimate.asymptoticThroughput {
            lines.append("no peak predicted (κ = 0): throughput approaches \(Format.number(bound)) req/s (Amdahl bound, σ alone) \(range(ci.ceilingThroughput))")
        } else {
            lines.append("no peak predicted: σ = κ = 0")
        }
        var measured = "measured peak: \(Format.number(estimate.measuredPeak)) req/s"
        if let share = estimate.measuredShareOfCeiling { measured += " (\(Format.percent(share)) of the predicted ceiling)" }
        lines.append(measured)
        if let knee = estimate.knee {
            if let load = knee.load, let throughput = knee.throughput {
                lines.append("latency knee: p99 would pass \(Format.seconds(knee.objectiveSeconds)) at about \(Format.number(load)) in flight (\(Format.number(throughput)) req/s; p99 ≈ \(String(format: "%.1f", knee.p99ToMeanRatio))× the Little's-law mean)")
            } else {
                lines.append("latency knee: p99 stays under \(Format.seconds(knee.objectiveSeconds)) at every load the model allows")
            }
        }
        return lines
    }
}
