/// Everything `surge capacity` found, as written with --json (versioned).
public struct CapacityReport: Sendable, Equatable, Codable {
    public static let currentVersion = 1

    /// How a peak predicted from the safe steps compares with the peak measured by continuing the ramp.
    public struct PredictionCheck: Sendable, Equatable, Codable {
        /// Steps the prediction used, and the share of its predicted peak the highest of them reached.
        public var fromSteps: Int
        public var measuredShareAtPrediction: Double
        /// The prediction: the USL peak capped by the demand bound (either alone when the other is missing).
        public var predictedPeak: Double
        public var predictedPeakLoad: Double?
        /// Its two parts: the USL fit's peak on the safe steps, and the operational laws' bound and the resource that sets it.
        public var uslPeak: Double?
        public var demandBound: Double?
        public var demandLimitedBy: String?
        /// When paced steps made the prediction: the bound the rate steps before them gave alone.
        public var rateStepsBound: Double?
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
    /// The bottleneck law's bound (from the prediction's steps, else from every step) and the resource that sets it.
    public var demandBound: DemandBound?
    public var limitingResource: LimitingResource?
    public var sizing: CapacitySizing?

    public init(target: String?, steps: [StepMeasurement], estimate: CapacityEstimate, stopReason: RampState.StopReason? = nil,
                prediction: USLModel? = nil, predictionSteps: Int = 0, predictionUsedSteps: Int? = nil, predictionBest: Double? = nil, limitingResource: LimitingResource? = nil,
                sizing: CapacitySizing? = nil, predictedPeak: Double? = nil, demandBound: DemandBound? = nil, rateStepsBound: Double? = nil) {
        self.demandBound = demandBound
        self.target = target
        self.steps = steps
        self.estimate = estimate
        self.stopReason = stopReason
        self.prediction = prediction
        self.limitingResource = limitingResource
        self.sizing = sizing
        // The peak the prediction is checked against: a step that shed or failed more than the fit
        // allows measures a different system (fast refusals, cached answers), as in `RampOutcome`.
        let served = steps.filter { $0.errorRate <= RampOutcome.maximumFitErrorRate }
        if let predicted = predictedPeak ?? prediction?.peakThroughput, steps.count > predictionSteps,
           let best = (served.isEmpty ? steps : served).max(by: { $0.throughput < $1.throughput }) {
            let safeBest = predictionBest ?? steps.prefix(predictionSteps).map(\.throughput).max() ?? 0
            predictionCheck = PredictionCheck(
                fromSteps: predictionUsedSteps ?? predictionSteps, measuredShareAtPrediction: safeBest / predicted, predictedPeak: predicted,
                predictedPeakLoad: prediction?.peakLoad, uslPeak: prediction?.peakThroughput, demandBound: demandBound?.throughput,
                demandLimitedBy: demandBound?.limiting?.label, rateStepsBound: rateStepsBound, measuredPeak: best.throughput, measuredPeakLoad: best.concurrency,
                errorPercent: (predicted - best.throughput) / best.throughput * 100,
                reachedSaturation: stopReason == .saturated || (steps.last.map { $0.throughput < best.throughput } ?? false))
        }
    }
}
