/// The USL fit of a set of measured points and everything read from it: coefficients with
/// intervals, the predicted peak and where it is, and the latency knee.
public struct CapacityEstimate: Sendable, Equatable, Codable {
    public var points: [LoadPoint]
    public var model: USLModel
    /// Root mean squared residual of the fit, in throughput units.
    public var rootMeanSquaredError: Double
    public var intervals: USLBootstrap
    /// X(N*) when κ > 0.
    public var peakThroughput: Double?
    /// N* = √((1−σ)/κ) when κ > 0.
    public var peakLoad: Double?
    /// λ/σ when κ = 0 and σ > 0: the throughput approached but never passed.
    public var asymptoticThroughput: Double?
    public var knee: LatencyKnee?
    /// The highest measured throughput, and its share of the predicted ceiling.
    public var measuredPeak: Double
    public var measuredShareOfCeiling: Double?

    /// Smallest data set the fit accepts: 4 points over 3 distinct loads (three unknowns, one degree of freedom).
    public static let minimumPoints = 4
    public static let minimumDistinctLoads = 3
    /// Above this share of linear scaling at the highest load, the data carry no contention signal.
    public static let linearEfficiency = 0.97

    /// Fits `points`; throws a one-line `FitError` when they cannot say anything about a peak.
    public static func fit(_ points: [LoadPoint], p99Objective: Double? = nil, resamples: Int = 300,
                           seed: UInt64 = 1) throws -> CapacityEstimate {
        guard points.count >= minimumPoints else { throw FitError.tooFewPoints(count: points.count) }
        if let bad = points.first(where: { !($0.concurrency > 0) || !($0.throughput >= 0) || !$0.concurrency.isFinite || !$0.throughput.isFinite }) {
            throw FitError.nonPositive(load: bad.concurrency)
        }
        let distinct = Set(points.map { ($0.concurrency * 1000).rounded() }).count
        guard distinct >= minimumDistinctLoads else { throw FitError.tooFewDistinctLoads(count: distinct) }
        let sorted = points.sorted { $0.concurrency < $1.concurrency }
        let solution = USLFitter.fit(sorted)
        let model = solution.model
        let highest = sorted.map(\.concurrency).max() ?? 1
        let efficiency = model.throughput(at: highest) / (model.lambda * highest)
        if efficiency >= linearEfficiency && highest > 1 {
            throw FitError.noContentionSignal(highestLoad: highest, efficiency: efficiency)
        }
        let models = USLBootstrap.resampledModels(points: sorted, fit: model, resamples: resamples, seed: seed)
        let measuredPeak = sorted.map(\.throughput).max() ?? 0
        return CapacityEstimate(
            points: sorted, model: model,
            rootMeanSquaredError: (solution.squaredError / Double(sorted.count)).squareRoot(),
            intervals: USLBootstrap(models: models),
            peakThroughput: model.peakThroughput, peakLoad: model.peakLoad,
            asymptoticThroughput: model.peakLoad == nil ? model.asymptoticThroughput : nil,
            knee: p99Objective.map { LatencyKnee.find(model: model, points: sorted, objectiveSeconds: $0) },
            measuredPeak: measuredPeak,
            measuredShareOfCeiling: model.ceilingThroughput.map { measuredPeak / $0 })
    }

    /// The best throughput the fit predicts (peak, else the Amdahl bound).
    public var ceilingThroughput: Double? { peakThroughput ?? asymptoticThroughput }
}
