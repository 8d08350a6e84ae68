import LoadTest
import Reproducible

/// Confidence intervals of a USL fit by the residual bootstrap: refit on the fitted curve plus
/// residuals drawn with replacement, many times, and take percentiles. Seeded, so a report replays.
public struct USLBootstrap: Sendable, Equatable, Codable {
    public var sigma: Interval
    public var kappa: Interval
    public var lambda: Interval
    /// The peak throughput (or Amdahl bound) across resamples; infinite high end when some have neither.
    public var ceilingThroughput: Interval
    /// N* across resamples that have a peak.
    public var peakLoad: Interval?
    /// Share of resamples whose fit has no peak (κ = 0).
    public var noPeakShare: Double
    public var resamples: Int
    public var level: Double

    /// Fits to `resamples` resampled data sets around `fit` (the raw material of every interval).
    public static func resampledModels(points: [LoadPoint], fit: USLModel, resamples: Int = 300, seed: UInt64 = 1) -> [USLModel] {
        var random = SplitMix64(seed: seed)
        let fitted = points.map { fit.throughput(at: $0.concurrency) }
        // Residuals inflated by √(n/(n−p)): raw residuals are smaller than the errors they estimate.
        let inflation = points.count > 3 ? (Double(points.count) / Double(points.count - 3)).squareRoot() : 1
        let residuals = zip(points, fitted).map { ($0.throughput - $1) * inflation }
        return (0..<max(1, resamples)).map { _ in
            let sample = points.indices.map { index -> LoadPoint in
                let draw = Int(random.next() % UInt64(residuals.count))
                return LoadPoint(concurrency: points[index].concurrency, throughput: max(0, fitted[index] + residuals[draw]))
            }
            return USLFitter.fit(sample, start: fit).model
        }
    }

    /// Percentile intervals over resampled fits.
    public init(models: [USLModel], level: Double = 0.95) {
        let degenerate = Interval(low: 0, high: 0)
        sigma = Interval.percentile(models.map(\.sigma), level: level) ?? degenerate
        kappa = Interval.percentile(models.map(\.kappa), level: level) ?? degenerate
        lambda = Interval.percentile(models.map(\.lambda), level: level) ?? degenerate
        ceilingThroughput = Interval.percentile(models.map { $0.ceilingThroughput ?? .infinity }, level: level) ?? degenerate
        let peaks = models.compactMap(\.peakLoad)
        peakLoad = Interval.percentile(peaks, level: level)
        noPeakShare = models.isEmpty ? 0 : Double(models.count - peaks.count) / Double(models.count)
        resamples = models.count
        self.level = level
    }

    /// The band of the throughput curve at each of `loads` over resampled fits.
    public static func band(models: [USLModel], loads: [Double], level: Double = 0.95) -> [Interval] {
        loads.map { load in
            Interval.percentile(models.map { $0.throughput(at: load) }, level: level) ?? Interval(low: 0, high: 0)
        }
    }
}
