/// The ramp as a state machine: it proposes the next step (open-model rates first, when asked, then
/// closed-loop concurrencies), the caller measures it and records it, and the ramp decides whether
/// to go on. No clock, no I/O: tested with made-up steps.
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

    /// Closed-loop concurrency levels.
    public let levels: [Int]
    public let rates: RateSteps?
    /// Paced steps after the rate steps (`pacedUsers` users working a growing share of each period): the demand
    /// bound, and so the prediction, comes from them.
    public let paced: Bool
    /// What the bottleneck law may count (nil: no demand bound, the USL fit alone).
    public let resources: DemandResources?
    public let stopAtFraction: Double?
    public let validate: Bool
    public private(set) var steps: [StepMeasurement] = []
    /// The USL fit at the moment the fraction was reached.
    public private(set) var prediction: USLModel?
    /// The peak predicted then: from closed-loop steps, the USL peak capped by the demand bound (either alone
    /// when the other is missing); from rate steps, the demand bound (the USL fit alone without resources).
    public private(set) var predictedPeak: Double?
    /// The operational laws' bound at the moment of the prediction.
    public private(set) var demandBound: DemandBound?
    /// Steps measured when the prediction was made (the step that made it is the last of them).
    public private(set) var predictionSteps = 0
    /// The steps the prediction used (a paced prediction leaves out steps that landed past the fraction of
    /// what it predicts), and the highest throughput among them.
    public private(set) var predictionUsedSteps = 0
    public private(set) var predictionBest: Double?
    public private(set) var stopReason: StopReason?
    /// The next open-model rate; nil once the rate steps are over.
    private var pendingRate: Double?
    /// The next paced share; nil before the paced steps and once they are over.
    private var pendingPace: Double?
    /// The demand bound of the rate steps alone when paced steps followed them (reported beside the prediction).
    public private(set) var rateStepsBound: Double?

    /// Steps before the fit is trusted to stop the ramp (three unknowns need one more point).
    public static let minimumStepsForPrediction = 4
    static let failingErrorRate = 0.5
    static let saturatedErrorRate = 0.2
    static let saturatedShare = 0.9
    /// An open-model step completing less than this share of its offered rate is past what the target keeps up with.
    static let keptUpShare = 0.85
    /// The automatic rates land on the fraction; a re-estimate may move the target this much without another step.
    static let fractionTolerance = 0.05
    /// The first paced share, and how many paced steps at most.
    static let firstPace = 0.1
    static let maximumPacedSteps = 6
    /// With paced steps to follow, the rate steps only anchor the idle work: they stop at this share of the
    /// fraction of their own bound (0.3 of it for 0.5), which overestimated the peak by up to 15% on the store
    /// (BENCHMARKS.md), so they stay well under half the real one. Measured before (session 14): rate steps
    /// aimed at half their bound reached 55–59% of the predicted peak on the guarded store.
    static let anchorShare = 0.6
    /// The paced shares aim at this share of the fraction (0.45 of the bound for 0.5): the bound moves with
    /// every step, and a share aimed at the fraction itself landed at 51–53% of the final prediction.
    static let pacedAim = 0.9

    public init(levels: [Int] = RampState.defaultLevels, rates: RateSteps? = nil, paced: Bool = false, resources: DemandResources? = nil,
                stopAtFraction: Double? = nil, validate: Bool = false) {
        self.levels = levels
        self.rates = rates
        self.paced = paced && resources != nil
        self.resources = resources
        self.stopAtFraction = stopAtFraction
        self.validate = validate
        switch rates {
        case .fixed(let list): pendingRate = list.first
        case .automatic(let start, let maximumSteps): pendingRate = maximumSteps > 0 ? start : nil
        case nil: pendingRate = nil
        }
        if pendingRate == nil && self.paced { pendingPace = Self.firstPace }
    }

    /// The closed-loop steps so far.
    public var closedSteps: [StepMeasurement] { steps.filter { $0.offeredRate == nil && $0.pacedShare == nil } }
    /// Users of a paced step: one more than the cores the server runs on, so that while they work every
    /// core has a request and the next one waiting (no idle gap between requests, as at the peak; one user
    /// leaves the server idle while its answer travels back and the next request comes: measured on the
    /// store, CPU per request 1.0 ms at one user flat out against 0.78 ms at the peak).
    public var pacedUsers: Int {
        let cores = resources?.cpuCores ?? resources?.databaseCores ?? 1
        return Int(cores.rounded(.up)) + 1
    }

    /// The paced steps so far.
    public var pacedSteps: [StepMeasurement] { steps.filter { $0.pacedShare != nil } }
    /// The open-model steps so far.
    public var rateSteps: [StepMeasurement] { steps.filter { $0.offeredRate != nil } }

    /// The next step, or nil when the ramp is over.
    public var nextStep: RampLevel? {
        guard stopReason == nil else { return nil }
        if let pendingRate { return .rate(pendingRate) }
        if let pendingPace { return .paced(share: pendingPace, users: pacedUsers) }
        let closed = closedSteps.count
        return closed < levels.count ? .concurrency(levels[closed]) : nil
    }

    /// The concurrency of the next step when it is a closed-loop one.
    public var nextLevel: Int? {
        if case .concurrency(let users) = nextStep { return users }
        return nil
    }

    public var isFinished: Bool { nextStep == nil }

    /// The peak the USL fit and the demand bound predict together: the fit's peak capped by the bound.
    public static func combinedPeak(usl: Double?, bound: Double?) -> Double? {
        switch (usl, bound) {
        case let (usl?, bound?): min(usl, bound)
        case let (usl?, nil): usl
        case let (nil, bound?): bound
        case (nil, nil): nil
        }
    }

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
        if step.offeredRate != nil {
            recordRate(step)
            return
        }
        if step.pacedShare != nil {
            recordPaced(step)
            return
        }
        if step.errorRate > Self.saturatedErrorRate {
            stopReason = .saturated
            return
        }
        let closed = closedSteps
        let best = closed.map(\.throughput).max() ?? 0
        // Past the peak: two steps at least 10% below the best one (a shared host makes single steps dip by
        // more than 5%), but never before the fit has its minimum of points.
        if closed.count >= Self.minimumStepsForPrediction, closed.suffix(2).allSatisfy({ $0.throughput < Self.saturatedShare * best }) {
            stopReason = .saturated
            return
        }
        if let fraction = stopAtFraction, predictedPeak == nil, closed.count >= Self.minimumStepsForPrediction {
            let model = USLFitter.fit(steps.map(\.point)).model
            let bound = resources.flatMap { DemandBound.estimate(steps, $0) }
            if let peak = Self.combinedPeak(usl: model.peakThroughput, bound: bound?.throughput), best >= fraction * peak {
                predict(model: model, peak: peak, bound: bound)
                if !validate {
                    stopReason = .reachedFraction
                    return
                }
            }
        }
        if closed.count >= levels.count { stopReason = .levelsExhausted }
    }

    /// After an open-model step: predict once the measured rate reaches the fraction, else the next rate.
    private mutating func recordRate(_ step: StepMeasurement) {
        let offered = step.offeredRate ?? 0
        // Errors, or completions falling behind arrivals: past what is safe; the closed loop takes over.
        if step.errorRate > Self.saturatedErrorRate || step.throughput < Self.keptUpShare * offered {
            endRates()
            return
        }
        let measured = rateSteps
        let fraction = stopAtFraction ?? 0.5
        let bound = resources.flatMap { DemandBound.estimate(measured, $0) }
        // The rate steps predict from the demand bound alone; their USL fit is kept for the report. They stay
        // below half the predicted peak, where nothing of ours contends: an open-model point's N = X·R grows
        // there with delays from other processes on the host, not with the server's contention. Measured
        // (BENCHMARKS.md): a rule that let the fit in once 4 rate steps had N ≥ 1 fitted 1,089 req/s from
        // steps delayed by a shared host, against 2,836 measured; the bound alone said 2,243.
        let model = measured.count >= Self.minimumStepsForPrediction ? USLFitter.fit(measured.map(\.point)).model : nil
        let peak = resources == nil ? model?.peakThroughput : bound?.throughput
        let best = measured.map(\.throughput).max() ?? 0
        let target = paced ? fraction * Self.anchorShare : fraction
        if predictedPeak == nil, let peak, best >= (target - Self.fractionTolerance) * peak {
            if paced {
                endRates()
                return
            }
            predict(model: model, peak: peak, bound: bound)
            pendingRate = nil
            if stopAtFraction != nil && !validate { stopReason = .reachedFraction }
            return
        }
        switch rates {
        case .fixed(let list):
            pendingRate = measured.count < list.count ? list[measured.count] : nil
        case .automatic(_, let maximumSteps):
            var next = offered * 2
            if let peak { next = min(next, target * peak) }
            pendingRate = measured.count < maximumSteps && next > offered * 1.05 ? next : nil
        case nil:
            pendingRate = nil
        }
        if pendingRate == nil { endRates() }
    }

    /// The rate steps are over: paced steps follow when asked (the rate steps' bound kept for the report).
    private mutating func endRates() {
        pendingRate = nil
        guard paced, pendingPace == nil, pacedSteps.isEmpty else { return }
        rateStepsBound = resources.flatMap { DemandBound.estimate(rateSteps, $0) }?.throughput
        pendingPace = Self.firstPace
    }

    /// After a paced step: predict from the paced steps' demand bound once the measured rate nears the
    /// fraction of it (at least two steps, so the bound is a slope and not a ratio that counts idle work
    /// as demand), else the next share: doubled, and never past the aim below the fraction of the bound.
    private mutating func recordPaced(_ step: StepMeasurement) {
        let share = step.pacedShare ?? Self.firstPace
        let measured = pacedSteps
        if step.errorRate > Self.saturatedErrorRate {
            pendingPace = nil
            return
        }
        let fraction = stopAtFraction ?? 0.5
        let aim = fraction * Self.pacedAim
        // The idle work from every low-load step (the rate steps pin it near zero load), the demand from the paced ones.
        let bound = resources.flatMap { DemandBound.estimate(measured, $0, idleAnchors: rateSteps) }
        let best = measured.map(\.throughput).max() ?? 0
        // What the user gives working all the time, from this step: the throughput a share of 1 would reach.
        let flatOut = step.throughput / max(share, 1e-3)
        var next = min(1, share * 2)
        if let peak = bound?.throughput, flatOut > 0 { next = min(next, aim * peak / flatOut) }
        let nearAim = bound?.throughput.map { best >= (aim - Self.fractionTolerance) * $0 } ?? false
        let canGrow = measured.count < Self.maximumPacedSteps && next > share * 1.05
        if predictedPeak == nil, bound?.throughput != nil, measured.count >= 2, nearAim || !canGrow {
            let (used, anchors, safeBound) = safeSteps(paced: measured, anchors: rateSteps, fraction: fraction)
            if let safeBound, let peak = safeBound.throughput {
                let model = steps.count >= Self.minimumStepsForPrediction ? USLFitter.fit(steps.map(\.point)).model : nil
                predict(model: model, peak: peak, bound: safeBound, used: used + anchors)
                pendingPace = nil
                if stopAtFraction != nil && !validate { stopReason = .reachedFraction }
                return
            }
        }
        pendingPace = canGrow ? next : nil
    }

    /// The steps a paced prediction stands on: every one at or below the fraction of the peak it predicts.
    /// A step past it (a share that grew more than the bound foresaw, a rate step on an optimistic bound)
    /// stays in the table, but the bound is computed again without it, until the steps and the bound agree
    /// or fewer than two paced steps and one anchor would be left (then every step is kept, and the report
    /// shows how far the prediction's steps went).
    func safeSteps(paced: [StepMeasurement], anchors: [StepMeasurement], fraction: Double)
        -> (paced: [StepMeasurement], anchors: [StepMeasurement], bound: DemandBound?) {
        guard let resources else { return (paced, anchors, nil) }
        var paced = paced, anchors = anchors
        var bound = DemandBound.estimate(paced, resources, idleAnchors: anchors)
        while let peak = bound?.throughput {
            let limit = fraction * peak * (1 + 1e-9)
            let keptPaced = paced.filter { $0.throughput <= limit }
            let keptAnchors = anchors.filter { $0.throughput <= limit }
            if keptPaced.count == paced.count && keptAnchors.count == anchors.count { break }
            guard keptPaced.count >= 2, keptAnchors.count >= (anchors.isEmpty ? 0 : 1),
                  let next = DemandBound.estimate(keptPaced, resources, idleAnchors: keptAnchors), next.throughput != nil else { break }
            paced = keptPaced
            anchors = keptAnchors
            bound = next
        }
        return (paced, anchors, bound)
    }

    private mutating func predict(model: USLModel?, peak: Double, bound: DemandBound?, used: [StepMeasurement]? = nil) {
        prediction = model
        predictedPeak = peak
        demandBound = bound
        predictionSteps = steps.count
        let used = used ?? steps
        predictionUsedSteps = used.count
        predictionBest = used.map(\.throughput).max()
    }
}
