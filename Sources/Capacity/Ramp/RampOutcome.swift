/// How a finished ramp ends for the command: a report, or one line and exit code 3.
public enum RampOutcome: Sendable {
    case report(CapacityReport)
    /// The target failed from the first step, or the generator limited a step (exit 3, as `surge load`).
    case aborted(String)

    /// Steps with a larger failed share are left out of the fit.
    public static let maximumFitErrorRate = 0.05

    /// Turns a finished ramp into a report: the fit on every step, the evidence's limiting resource, sizing.
    public static func make(_ state: RampState, target targetURL: String, p99Objective: Double?, databaseCores: Int,
                            peakMultiplier: Double?, resamples: Int = 300) throws -> RampOutcome {
        switch state.stopReason {
        case .targetFailing:
            let step = state.steps.first
            return .aborted("the target fails from the first step: \(Format.percent(step?.errorRate ?? 1)) errors at \(step?.concurrency ?? 1) in flight"
                            + (step?.firstError.map { " (\($0))" } ?? ""))
        case .generatorLimited:
            let step = state.steps.last
            return .aborted("the generator was the bottleneck at step \(step?.step ?? 0) (\(step?.concurrency ?? 0) in flight): its CPU saturated, "
                            + "so the step measured the tool, not the target; give it more event loops or an idle core")
        default:
            break
        }
        let steps = state.steps
        // A step that shed or failed many requests measures a different system (fast refusals, cached
        // answers): it stays in the table but not in the fit, unless too few steps would be left.
        let clean = steps.filter { $0.errorRate <= maximumFitErrorRate }
        let fitted = clean.count >= CapacityEstimate.minimumPoints ? clean : steps
        let estimate = try CapacityEstimate.fit(fitted.map(\.point), p99Objective: p99Objective, resamples: resamples)
        let limiting = LimitingResource.find(steps: steps, databaseCores: databaseCores)
        let target = peakMultiplier.map { $0 * estimate.measuredPeak }
        let sizing = CapacitySizing.make(estimate: estimate, steps: steps, databaseCores: databaseCores, limiting: limiting, targetThroughput: target)
        // The bound from the steps the prediction used; without a prediction, from the open-model steps
        // (low load) or, without those, every step.
        let bound = state.demandBound ?? state.resources.flatMap { resources in
            DemandBound.estimate(state.rateSteps.isEmpty ? steps : state.rateSteps, resources)
        }
        return .report(CapacityReport(target: targetURL, steps: steps, estimate: estimate, stopReason: state.stopReason,
                                      prediction: state.prediction, predictionSteps: state.predictionSteps,
                                      predictionUsedSteps: state.predictionUsedSteps, predictionBest: state.predictionBest,
                                      limitingResource: limiting, sizing: sizing, predictedPeak: state.predictedPeak, demandBound: bound,
                                      rateStepsBound: state.rateStepsBound))
    }
}
