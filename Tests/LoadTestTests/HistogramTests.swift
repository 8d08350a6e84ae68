import Foundation
@testable import LoadTest
import Testing

@Suite struct HistogramTests {
    /// Deterministic pseudo-random latencies with a long tail.
    static func samples(seed: UInt64, count: Int) -> [UInt64] {
        var random = SeededRandom(seed: seed)
        return (0..<count).map { _ in
            let u = random.unitInterval()
            return UInt64(200 + 1_000_000 * pow(u, 8))
        }
    }

    @Test func mergedHistogramsEqualOneHistogramOfAllSamples() {
        let a = Self.samples(seed: 1, count: 5000)
        let b = Self.samples(seed: 2, count: 7000)
        var left = LatencyHistogram()
        var right = LatencyHistogram()
        var all = LatencyHistogram()
        a.forEach { left.record(microseconds: $0) }
        b.forEach { right.record(microseconds: $0) }
        (a + b).forEach { all.record(microseconds: $0) }
        left.merge(right)
        #expect(left == all)
        #expect(left.count == 12_000)
        for percentile in [50.0, 90.0, 99.0, 99.9, 100.0] {
            #expect(left.percentile(percentile) == all.percentile(percentile))
        }
    }

    @Test func jsonEncodingIsLossless() throws {
        var histogram = LatencyHistogram()
        Self.samples(seed: 3, count: 3000).forEach { histogram.record(microseconds: $0) }
        let data = try JSONEncoder().encode(histogram)
        let decoded = try JSONDecoder().decode(LatencyHistogram.self, from: data)
        #expect(decoded == histogram)
        #expect(decoded.percentile(99) == histogram.percentile(99))
    }

    @Test func percentilesAreWithinThreeSignificantDigits() {
        var histogram = LatencyHistogram()
        for value in 1...100_000 { histogram.record(microseconds: UInt64(value)) }
        let p99 = Double(histogram.percentile(99))
        #expect(abs(p99 - 99_000) / 99_000 < 0.001)
    }

    @Test func valuesAboveTheRangeAreClampedNotLost() {
        var histogram = LatencyHistogram()
        histogram.record(microseconds: .max)
        #expect(histogram.count == 1)
    }

    @Test func timelineMemoryStaysBoundedHoweverLongTheRun() {
        var timeline = Timeline()
        // Ten hours of one event per second.
        for second in 0..<36_000 {
            let index = timeline.index(offsetNanos: Int64(second) * 1_000_000_000)
            timeline.buckets[index].arrivals += 1
        }
        #expect(timeline.buckets.count <= Timeline.maxBuckets)
        #expect(timeline.bucketSeconds == 64)
        #expect(timeline.buckets.reduce(0) { $0 + $1.arrivals } == 36_000)
    }

    @Test func timelinesOfDifferentResolutionMergeWithoutLosingCounts() {
        var fine = Timeline()
        var coarse = Timeline()
        for second in 0..<100 {
            let index = fine.index(offsetNanos: Int64(second) * 1_000_000_000)
            fine.buckets[index].arrivals += 1
        }
        for second in 0..<2000 {
            let index = coarse.index(offsetNanos: Int64(second) * 1_000_000_000)
            coarse.buckets[index].arrivals += 1
        }
        fine.merge(coarse)
        #expect(fine.bucketSeconds == coarse.bucketSeconds)
        #expect(fine.buckets.reduce(0) { $0 + $1.arrivals } == 2100)
    }
}
