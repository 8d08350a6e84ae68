import Foundation
import LoadTest
import Reproducible
import Testing
@testable import Capacity

@Suite struct USLFitTests {
    /// Gaussian noise from the seeded generator (Box–Muller).
    static func gaussian(_ random: inout SplitMix64) -> Double {
        let u1 = random.unitInterval(), u2 = random.unitInterval()
        return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }

    static func synthetic(_ truth: USLModel, loads: [Double], noise: Double, seed: UInt64) -> [LoadPoint] {
        var random = SplitMix64(seed: seed)
        return loads.map { load in
            let exact = truth.throughput(at: load)
            return LoadPoint(concurrency: load, throughput: exact * (1 + noise * gaussian(&random)))
        }
    }

    @Test func exactPointsGiveBackTheirCoefficients() {
        let truth = USLModel(sigma: 0.05, kappa: 0.002, lambda: 100)
        let points = [1.0, 2, 4, 8, 16, 24, 32, 48].map { LoadPoint(concurrency: $0, throughput: truth.throughput(at: $0)) }
        let fit = USLFitter.fit(points).model
        #expect(abs(fit.sigma - 0.05) < 1e-6)
        #expect(abs(fit.kappa - 0.002) < 1e-8)
        #expect(abs(fit.lambda - 100) < 1e-4)
    }

    @Test(arguments: [UInt64(1), 2, 3, 4, 5])
    func noisyPointsRecoverKnownCoefficientsAndPeak(seed: UInt64) throws {
        let truth = USLModel(sigma: 0.04, kappa: 0.0015, lambda: 250)
        let points = Self.synthetic(truth, loads: [1, 2, 4, 6, 8, 12, 16, 24, 32, 48, 64], noise: 0.02, seed: seed)
        let estimate = try CapacityEstimate.fit(points, resamples: 200, seed: seed)
        let peak = try #require(estimate.peakThroughput)
        let truePeak = try #require(truth.peakThroughput)
        #expect(abs(peak / truePeak - 1) < 0.05, "peak \(peak) vs \(truePeak)")
        #expect(abs(estimate.model.lambda / 250 - 1) < 0.08)
        #expect(abs(estimate.model.sigma - 0.04) < 0.02)
        #expect(abs(estimate.model.kappa / 0.0015 - 1) < 0.3)
        #expect(estimate.intervals.kappa.contains(estimate.model.kappa))
        #expect(estimate.intervals.ceilingThroughput.low < peak && peak < estimate.intervals.ceilingThroughput.high)
    }

    /// Gunther's SPEC SDM91 data (Sun SPARCcenter 2000, 16 CPUs; *Guerrilla Capacity Planning*, 2007), as shipped
    /// in the R `usl` package (smoeding/usl, data/specsdm91.rda). The package reports (README and
    /// tests/summary.Rout.save): alpha 0.0277285, beta 0.0001044, gamma 89.9952, peak 1884 at load 96.52.
    @Test func specSDM91MatchesTheRPackage() throws {
        let loads: [Double] = [1, 18, 36, 72, 108, 144, 216]
        let rates: [Double] = [64.9, 995.9, 1652.4, 1853.2, 1828.9, 1775.0, 1702.2]
        let estimate = try CapacityEstimate.fit(zip(loads, rates).map { LoadPoint(concurrency: $0, throughput: $1) })
        #expect(abs(estimate.model.sigma / 0.0277285 - 1) < 0.01, "sigma \(estimate.model.sigma)")
        #expect(abs(estimate.model.kappa / 0.0001044 - 1) < 0.01, "kappa \(estimate.model.kappa)")
        #expect(abs(estimate.model.lambda / 89.9952 - 1) < 0.005, "lambda \(estimate.model.lambda)")
        #expect(abs((estimate.peakLoad ?? 0) - 96.52) < 0.5)
        #expect(abs((estimate.peakThroughput ?? 0) - 1884) < 3)
    }

    /// The R `usl` package's tests/confint.R: the first six points of its raytracer data set (Gunther) give
    /// alpha 0.02444, beta 0.00163, gamma 20.85605 (tests/confint.Rout.save).
    @Test func raytracerPrefixMatchesTheRPackage() {
        let loads: [Double] = [1, 4, 8, 12, 16, 20]
        let rates: [Double] = [20, 78, 130, 170, 190, 200]
        let model = USLFitter.fit(zip(loads, rates).map { LoadPoint(concurrency: $0, throughput: $1) }).model
        #expect(abs(model.sigma - 0.02444) < 0.0002, "sigma \(model.sigma)")
        #expect(abs(model.kappa - 0.00163) < 0.00002, "kappa \(model.kappa)")
        #expect(abs(model.lambda - 20.85605) < 0.01, "lambda \(model.lambda)")
    }

    @Test func linearDataHasNoContentionSignal() {
        let points = [1.0, 2, 3, 4, 5].map { LoadPoint(concurrency: $0, throughput: 100 * $0) }
        #expect(throws: FitError.self) { try CapacityEstimate.fit(points) }
    }

    @Test func tooFewPointsOrLoadsAreRefused() {
        let three = [1.0, 2, 3].map { LoadPoint(concurrency: $0, throughput: 10 * $0) }
        #expect(throws: FitError.tooFewPoints(count: 3)) { try CapacityEstimate.fit(three) }
        let twoLoads = [1.0, 1, 2, 2].map { LoadPoint(concurrency: $0, throughput: 10 * $0) }
        #expect(throws: FitError.tooFewDistinctLoads(count: 2)) { try CapacityEstimate.fit(twoLoads) }
    }

    @Test func withoutCoherencyThereIsNoPeakOnlyTheAmdahlBound() throws {
        let truth = USLModel(sigma: 0.1, kappa: 0, lambda: 50)
        let points = [1.0, 2, 4, 8, 16, 32].map { LoadPoint(concurrency: $0, throughput: truth.throughput(at: $0)) }
        let estimate = try CapacityEstimate.fit(points, resamples: 50)
        #expect(estimate.peakThroughput == nil)
        #expect(abs((estimate.asymptoticThroughput ?? 0) - 500) < 1)
    }

    @Test func kneeIsWhereLittlesLawLatencyCrossesTheObjective() throws {
        let model = USLModel(sigma: 0.05, kappa: 0.001, lambda: 100)
        // R(N) = slowdown / λ; with p99 = 2 × mean the 100 ms objective breaks where slowdown = 5.
        let points = [1.0, 2, 4, 8].map { LoadPoint(concurrency: $0, throughput: model.throughput(at: $0), p99Seconds: 2 * model.responseTime(at: $0)) }
        let knee = LatencyKnee.find(model: model, points: points, objectiveSeconds: 0.1)
        let load = try #require(knee.load)
        #expect(abs(knee.p99ToMeanRatio - 2) < 1e-9)
        #expect(abs(model.slowdown(at: load) - 5) < 1e-6)
    }

    @Test func openModelStepsBecomeConcurrencyByLittlesLaw() {
        let point = LoadPoint.openModel(throughput: 400, meanLatencySeconds: 0.025)
        #expect(point.concurrency == 10)
    }
}
