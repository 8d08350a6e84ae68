/// The ramp as a state machine: it proposes the next concurrency, the caller measures a step and
/// records it, and the ramp decides whether to go on. No clock, no I/O: tested with made-up steps.
public struct RampState: Sendable {
    /// Why the ramp ended.
    public enum StopReason: String, Sendable, Equatable, Codable {
        /// The first step already failed: the target is down or refuses the scenario.
        case targetFailing = "target_failing"
        /// The generator, not the target, limited a step.
        case generatorLimited = "generator_limited"
        /// Measured throughput reached the asked fraction of the predicted peak.
        case reachedFraction = "reached_fraction"
        /// Throughput fell for two steps in a row, or errors passed 20%: past the peak.
        case saturated
        /// Every planned level ran.
        case levelsExhausted = "levels_exhausted"
    }

    /// The default concurrency levels: dense at the bottom (where the fit learns λ and σ), then ×1.5.
    public static let defaultLevels = [1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512]

    public let levels: [Int]
    public let stopAtFraction: Double?
    public let validate: Bool
    public private(set) var steps: [StepMeasurement] = []
    /// The fit at the moment the fraction was reached (the prediction from safe load).
    public private(set) var prediction: USLModel?
    /// Steps the prediction was made from.
    public private(set) var predictionSteps = 0
    public private(set) var stopReason: StopReason?

    /// Steps before the fit is trusted to stop the ramp (three unknowns need one more point).
    public static let minimumStepsForPrediction = 4
    static let failingErrorRate = 0.5
    static let saturatedErrorRate = 0.2
    static let saturatedShare = 0.9

    public init(levels: [Int] = RampState.defaultLevels, stopAtFraction: Double? = nil, validate: Bool = false) {
        self.levels = levels
        self.stopAtFraction = stopAtFraction
        self.validate = validate
    }

    /// The concurrency of the next step, or nil when the ramp is over.
    public var nextLevel: Int? {
        guard stopReason == nil, steps.count < levels.count else { return nil }
        return levels[steps.count]
    }

    public var isFinished: Bool { nextLevel == nil }

    public mutating func record(_ step: StepMeasurement) {
        steps.append(step)
        if step.generatorLimited {
            stopReason = .generatorLimited
            return
        }
        if steps.count == 1 && (step.successes == 0 || step.errorRate > Self.failingErrorRate) {
            stopReason = .targetFailing
            return
        }
        if step.errorRate > Self.saturatedErrorRate {
            stopReason = .saturated
            return
        }
        let best = steps.map(\.throughput).max() ?? 0
        // Past the peak: two steps at least 10% below the best one (a shared host makes single steps dip by
        // more than 5%), but never before the fit has its minimum of points.
        if steps.count >= Self.minimumStepsForPrediction, steps.suffix(2).allSatisfy({ $0.throughput < Self.saturatedShare * best }) {
            stopReason = .saturated
            return
        }
        if let fraction = stopAtFraction, prediction == nil, steps.count >= Self.minimumStepsForPrediction {
            let model = USLFitter.fit(steps.map(\.point)).model
            if let peak = model.peakThroughput, best >= fraction * peak {
                prediction = model
                predictionSteps = steps.count
                if !validate {
                    stopReason = .reachedFraction
                    return
                }
            }
        }
        if steps.count >= levels.count { stopReason = .levelsExhausted }
    }
}
