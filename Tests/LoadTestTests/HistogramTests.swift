import Foundation
@testable import LoadTest
import Reproducible
import Testing

@Suite struct HistogramTests {
    /// Deterministic pseudo-random latencies with a long tail.
    static func samples(seed: UInt64, count: Int) -> [UInt64] {
        var random = SplitMix64(seed: seed)
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

    @Test func compactedHistogramAnswersExactlyAsTheDenseOne() throws {
        var random = SystemRandomNumberGenerator()
        var dense = LatencyHistogram(precise: false)
        for _ in 0..<20_000 { dense.record(microseconds: UInt64.random(in: 50...2_000_000, using: &random)) }
        var compacted = dense
        compacted.compact()
        #expect(compacted.isCompacted)
        #expect(compacted == dense)
        #expect(compacted.count == dense.count)
        #expect(compacted.minMicroseconds == dense.minMicroseconds)
        #expect(compacted.maxMicroseconds == dense.maxMicroseconds)
        for percentile in [0.0, 1, 10, 50, 90, 99, 99.9, 100] {
            #expect(compacted.percentile(percentile) == dense.percentile(percentile))
        }
        #expect(compacted.buckets.map(\.value) == dense.buckets.map(\.value))
        #expect(compacted.buckets.map(\.count) == dense.buckets.map(\.count))
        let decoded = try JSONDecoder().decode(LatencyHistogram.self, from: JSONEncoder().encode(compacted))
        #expect(decoded == dense)
        // The point of compacting: a closed timeline bucket shrinks by more than 5x.
        #expect(compacted.footprintBytes * 5 < dense.footprintBytes)
    }

    @Test func compactedHistogramsMergeAndRecordWithoutLoss() {
        var a = LatencyHistogram(precise: false)
        var b = LatencyHistogram(precise: false)
        var all = LatencyHistogram(precise: false)
        for value in stride(from: UInt64(100), to: 300_000, by: 37) {
            a.record(microseconds: value)
            all.record(microseconds: value)
        }
        for value in stride(from: UInt64(5_000), to: 900_000, by: 101) {
            b.record(microseconds: value)
            all.record(microseconds: value)
        }
        a.compact()
        b.compact()
        var merged = a
        merged.merge(b)
        #expect(merged.isCompacted)
        #expect(merged == all)
        merged.record(microseconds: 42)
        all.record(microseconds: 42)
        #expect(!merged.isCompacted)
        #expect(merged == all)
        var empty = LatencyHistogram(precise: false)
        empty.merge(b)
        #expect(empty.count == b.count)
    }

    @Test func closedTimelineBucketsAreCompactedOpenOnesAreNot() {
        var timeline = Timeline()
        for second in 0..<120 {
            let index = timeline.index(offsetNanos: Int64(second) * 1_000_000_000)
            for value in 0..<500 { timeline.buckets[index].latency.record(microseconds: UInt64(200 + value * 13)) }
        }
        let before = timeline.buckets.reduce(0) { $0 + $1.latency.footprintBytes }
        timeline.compact(endingBeforeOffsetNanos: 109_500_000_000)
        #expect(timeline.buckets[..<109].allSatisfy { $0.latency.isCompacted })
        #expect(timeline.buckets[109...].allSatisfy { !$0.latency.isCompacted })
        #expect(timeline.buckets.allSatisfy { $0.latency.count == 500 })
        let after = timeline.buckets.reduce(0) { $0 + $1.latency.footprintBytes }
        #expect(after * 5 < before)
    }

    @Test func emptyHistogramsAndMergedCompactedTimelinesStaySmall() {
        #expect(LatencyHistogram().footprintBytes < 1024)
        var recorded = LatencyHistogram()
        recorded.record(microseconds: 500)
        #expect(recorded.footprintBytes > 10_000)
        var worker = Timeline()
        for second in 0..<300 {
            let index = worker.index(offsetNanos: Int64(second) * 1_000_000_000)
            worker.buckets[index].latency.record(microseconds: UInt64(100 + second))
        }
        worker.compact(endingBeforeOffsetNanos: 300_000_000_000)
        // The run's result starts empty and merges each worker's timeline: no dense bucket appears.
        var run = Timeline()
        run.merge(worker)
        #expect(run.buckets.count == 300)
        #expect(run.buckets.allSatisfy { $0.latency.isCompacted && $0.latency.count == 1 })
        #expect(run.buckets.reduce(0) { $0 + $1.latency.footprintBytes } < 300 * 1024)
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
