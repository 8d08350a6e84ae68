import Histogram

/// The HDR histogram type used for every latency in a run (values in microseconds).
///
/// This file imports only `Histogram`: swift-prometheus also defines a `Histogram`, and keeping the
/// generic name out of every other file avoids the clash.
typealias HDR = Histogram<UInt64>

/// A latency distribution in microseconds with bounded memory, lossless to merge and to encode.
public struct LatencyHistogram: Sendable, Equatable {
    /// Highest value tracked: one hour in microseconds; larger values are clamped to it.
    public static let highestMicroseconds: UInt64 = 3_600_000_000

    var hdr: HDR

    /// A histogram with 3 significant digits (0.1% resolution), or 2 for cheap time-series buckets.
    public init(precise: Bool = true) {
        hdr = HDR(lowestDiscernibleValue: 1, highestTrackableValue: Self.highestMicroseconds,
                  numberOfSignificantValueDigits: precise ? .three : .two)
    }

    /// Records one value in microseconds (clamped to the tracked range).
    @inline(__always)
    public mutating func record(microseconds: UInt64) {
        hdr.record(Swift.min(microseconds, Self.highestMicroseconds))
    }

    /// Records a duration given in nanoseconds.
    @inline(__always)
    public mutating func record(nanoseconds: Int64) {
        record(microseconds: nanoseconds <= 0 ? 0 : UInt64(nanoseconds / 1000))
    }

    /// Adds every count of `other` (same precision: exact; otherwise re-recorded at this precision).
    public mutating func merge(_ other: LatencyHistogram) {
        if other.hdr.numberOfSignificantValueDigits == hdr.numberOfSignificantValueDigits {
            hdr.add(other.hdr)
        } else {
            for bucket in other.hdr.recordedValues() { hdr.record(bucket.value, count: bucket.count) }
        }
    }

    public var count: UInt64 { hdr.totalCount }
    public var isEmpty: Bool { hdr.totalCount == 0 }
    /// The value at `percentile` (0...100) in microseconds; 0 when empty.
    public func percentile(_ percentile: Double) -> UInt64 { isEmpty ? 0 : hdr.valueAtPercentile(percentile) }
    public var maxMicroseconds: UInt64 { isEmpty ? 0 : hdr.max }
    public var minMicroseconds: UInt64 { isEmpty ? 0 : hdr.min }
    public var meanMicroseconds: Double { isEmpty ? 0 : hdr.mean }

    /// The non-empty buckets as (value, count) pairs: recording them again rebuilds the same histogram.
    ///
    /// The lowest and highest entries carry the exact minimum and maximum recorded (same buckets), since
    /// percentiles are clamped to them: a decoded histogram then answers every percentile identically.
    public var buckets: [(value: UInt64, count: UInt64)] {
        var list = hdr.recordedValues().map { (value: $0.value, count: $0.count) }
        guard let first = list.first else { return list }
        let lowest = hdr.min
        let highest = hdr.maxRecorded
        if list.count == 1 {
            let one: UInt64 = 1
            return first.count == 1 ? [(value: highest, count: one)] : [(value: lowest, count: one), (value: highest, count: first.count - one)]
        }
        list[0].value = lowest
        list[list.count - 1].value = highest
        return list
    }

    /// Rebuilds a histogram from its bucket list.
    public init(precise: Bool, buckets: [(value: UInt64, count: UInt64)]) {
        self.init(precise: precise)
        for bucket in buckets { hdr.record(Swift.min(bucket.value, Self.highestMicroseconds), count: bucket.count) }
    }

    public var isPrecise: Bool { hdr.numberOfSignificantValueDigits == .three }

    /// Approximate memory used by the counts array.
    public var footprintBytes: Int { hdr.estimatedFootprintInBytes }
}

extension LatencyHistogram: Codable {
    enum CodingKeys: String, CodingKey { case digits, values, counts }

    /// Encoded losslessly as parallel arrays of bucket values and counts (non-empty buckets only).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        let list = buckets
        try container.encode(isPrecise ? 3 : 2, forKey: .digits)
        try container.encode(list.map(\.value), forKey: .values)
        try container.encode(list.map(\.count), forKey: .counts)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let digits = try container.decode(Int.self, forKey: .digits)
        let values = try container.decode([UInt64].self, forKey: .values)
        let counts = try container.decode([UInt64].self, forKey: .counts)
        guard values.count == counts.count, digits == 2 || digits == 3 else {
            throw DecodingError.dataCorruptedError(forKey: .counts, in: container,
                                                   debugDescription: "values and counts differ in length, or digits is not 2 or 3")
        }
        self.init(precise: digits == 3, buckets: Array(zip(values, counts).map { (value: $0, count: $1) }))
    }
}
