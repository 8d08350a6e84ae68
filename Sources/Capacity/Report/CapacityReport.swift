/// Everything `surge capacity` found, as written with --json (versioned).
public struct CapacityReport: Sendable, Equatable, Codable {
    public static let currentVersion = 1

    /// How a peak predicted from the safe steps compares with the peak measured by continuing the ramp.
    public struct PredictionCheck: Sendable, Equatable, Codable {
        /// Steps the prediction used, and the share of its predicted peak the last of them reached.
        public var fromSteps: Int
        public var measuredShareAtPrediction: Double
        public var predictedPeak: Double
        public var predictedPeakLoad: Double?
        /// The highest throughput measured over the whole ramp, and where.
        public var measuredPeak: Double
        public var measuredPeakLoad: Int
        /// (predicted − measured) / measured, in percent.
        public var errorPercent: Double
        /// True when the ramp ended at saturation, so the measured peak is a real peak.
        public var reachedSaturation: Bool
    }

    public var version = CapacityReport.currentVersion
    public var target: String?
    public var steps: [StepMeasurement]
    public var estimate: CapacityEstimate
    public var stopReason: RampState.StopReason?
    /// The model fitted when the ramp stopped at the asked fraction (the prediction from safe load).
    public var prediction: USLModel?
    public var predictionCheck: PredictionCheck?
    public var limitingResource: LimitingResource?
    public var sizing: CapacitySizing?

    public init(target: String?, steps: [StepMeasurement], estimate: CapacityEstimate, stopReason: RampState.StopReason? = nil,
                prediction: USLModel? = nil, predictionSteps: Int = 0, limitingResource: LimitingResource? = nil,
                sizing: CapacitySizing? = nil) {
        self.target = target
        self.steps = steps
        self.estimate = estimate
        self.stopReason = stopReason
        self.prediction = prediction
        self.limitingResource = limitingResource
        self.sizing = sizing
        if let prediction, let predicted = prediction.peakThroughput, steps.count > predictionSteps,
           let best = steps.max(by: { $0.throughput < $1.throughput }) {
            let safeBest = steps.prefix(predictionSteps).map(\.throughput).max() ?? 0
            predictionCheck = PredictionCheck(
                fromSteps: predictionSteps, measuredShareAtPrediction: safeBest / predicted, predictedPeak: predicted,
                predictedPeakLoad: prediction.peakLoad, measuredPeak: best.throughput, measuredPeakLoad: best.concurrency,
                errorPercent: (predicted - best.throughput) / best.throughput * 100,
                reachedSaturation: stopReason == .saturated || (steps.last.map { $0.throughput < best.throughput } ?? false))
        }
    }
}
