import Histogram

/// The HDR histogram type used for every latency in a run (values in microseconds).
///
/// This file imports only `Histogram`: swift-prometheus also defines a `Histogram`, and keeping the
/// generic name out of every other file avoids the clash.
typealias HDR = Histogram<UInt64>

/// A latency distribution in microseconds with bounded memory, lossless to merge and to encode.
///
/// A histogram records into dense HDR counts. `compact()` turns a histogram that is no longer
/// recorded into (a closed timeline bucket) into its non-empty buckets, varint-encoded: a few hundred
/// bytes instead of the ~26 KB of dense counts, so a long run's timeline stays small. Reads rebuild the
/// dense form on the fly; a record or merge into a compacted histogram makes it dense again.
public struct LatencyHistogram: Sendable {
    /// Highest value tracked: one hour in microseconds; larger values are clamped to it.
    public static let highestMicroseconds: UInt64 = 3_600_000_000

    /// Dense counts; nil while compacted.
    private var dense: HDR?
    /// The compacted buckets: (value delta, count) pairs as LEB128 varints, values ascending.
    private var packed: [UInt8] = []
    private var packedCount: UInt64 = 0
    public let isPrecise: Bool

    /// A histogram with 3 significant digits (0.1% resolution), or 2 for cheap time-series buckets.
    ///
    /// The dense counts are allocated at the first record: an empty histogram (an unused step, the
    /// accumulator a merge starts from) costs nothing.
    public init(precise: Bool = true) {
        isPrecise = precise
        dense = nil
    }

    private static func makeHDR(precise: Bool) -> HDR {
        HDR(lowestDiscernibleValue: 1, highestTrackableValue: highestMicroseconds,
            numberOfSignificantValueDigits: precise ? .three : .two)
    }

    /// The dense histogram (rebuilt from the compact form when compacted).
    var hdr: HDR {
        if let dense { return dense }
        var rebuilt = Self.makeHDR(precise: isPrecise)
        Self.unpack(packed) { value, count in rebuilt.record(value, count: count) }
        return rebuilt
    }

    /// True when the histogram holds its compact form (or is empty and never recorded into).
    public var isCompacted: Bool { dense == nil }

    /// Keeps only the non-empty buckets (exact: every read answers as before).
    public mutating func compact() {
        guard let dense else { return }
        packed = Self.pack(buckets(of: dense))
        packedCount = dense.totalCount
        self.dense = nil
    }

    private mutating func makeDense() {
        guard dense == nil else { return }
        dense = hdr
        packed = []
        packedCount = 0
    }

    /// Records one value in microseconds (clamped to the tracked range).
    @inline(__always)
    public mutating func record(microseconds: UInt64) {
        if dense == nil { makeDense() }
        dense?.record(Swift.min(microseconds, Self.highestMicroseconds))
    }

    /// Records a duration given in nanoseconds.
    @inline(__always)
    public mutating func record(nanoseconds: Int64) {
        record(microseconds: nanoseconds <= 0 ? 0 : UInt64(nanoseconds / 1000))
    }

    /// Adds every count of `other` (same precision: exact; otherwise re-recorded at this precision).
    public mutating func merge(_ other: LatencyHistogram) {
        guard other.count > 0 else { return }
        if count == 0, other.isPrecise == isPrecise {
            self = other
            return
        }
        if dense == nil, other.dense == nil, other.isPrecise == isPrecise {
            // Two compacted histograms (a coarsening timeline) stay compacted.
            var pairs: [(value: UInt64, count: UInt64)] = []
            Self.unpack(packed) { pairs.append((value: $0, count: $1)) }
            Self.unpack(other.packed) { pairs.append((value: $0, count: $1)) }
            packed = Self.pack(pairs)
            packedCount += other.packedCount
            return
        }
        if dense == nil { makeDense() }
        if let otherDense = other.dense, otherDense.numberOfSignificantValueDigits == dense?.numberOfSignificantValueDigits {
            dense?.add(otherDense)
        } else if let otherDense = other.dense {
            for bucket in otherDense.recordedValues() { dense?.record(bucket.value, count: bucket.count) }
        } else {
            Self.unpack(other.packed) { value, count in dense?.record(value, count: count) }
        }
    }

    public var count: UInt64 { dense?.totalCount ?? packedCount }
    public var isEmpty: Bool { count == 0 }
    /// The value at `percentile` (0...100) in microseconds; 0 when empty.
    public func percentile(_ percentile: Double) -> UInt64 { isEmpty ? 0 : hdr.valueAtPercentile(percentile) }
    public var maxMicroseconds: UInt64 { isEmpty ? 0 : hdr.max }
    public var minMicroseconds: UInt64 { isEmpty ? 0 : hdr.min }
    public var meanMicroseconds: Double { isEmpty ? 0 : hdr.mean }

    static func pack(_ buckets: [(value: UInt64, count: UInt64)]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(buckets.count * 3)
        var combined: [(value: UInt64, count: UInt64)] = []
        for bucket in buckets.sorted(by: { $0.value < $1.value }) {
            if let last = combined.last, last.value == bucket.value {
                combined[combined.count - 1].count += bucket.count
            } else {
                combined.append(bucket)
            }
        }
        var previous: UInt64 = 0
        for bucket in combined {
            appendVarint(bucket.value - previous, to: &bytes)
            appendVarint(bucket.count, to: &bytes)
            previous = bucket.value
        }
        return bytes
    }

    static func unpack(_ bytes: [UInt8], _ body: (UInt64, UInt64) -> Void) {
        var index = 0
        var value: UInt64 = 0
        while index < bytes.count {
            value += readVarint(bytes, &index)
            body(value, readVarint(bytes, &index))
        }
    }

    private static func appendVarint(_ number: UInt64, to bytes: inout [UInt8]) {
        var rest = number
        while rest >= 0x80 {
            bytes.append(UInt8(rest & 0x7F) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    private static func readVarint(_ bytes: [UInt8], _ index: inout Int) -> UInt64 {
        var number: UInt64 = 0
        var shift: UInt64 = 0
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            number |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { break }
            shift += 7
        }
        return number
    }

    /// The non-empty buckets as (value, count) pairs: recording them again rebuilds the same histogram.
    ///
    /// The lowest and highest entries carry the exact minimum and maximum recorded (same buckets), since
    /// percentiles are clamped to them: a decoded histogram then answers every percentile identically.
    public var buckets: [(value: UInt64, count: UInt64)] { buckets(of: hdr) }

    private func buckets(of hdr: HDR) -> [(value: UInt64, count: UInt64)] {
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
        if !buckets.isEmpty { makeDense() }
        for bucket in buckets { dense?.record(Swift.min(bucket.value, Self.highestMicroseconds), count: bucket.count) }
    }

    /// Approximate memory used by the counts (dense) or the packed buckets (compacted).
    public var footprintBytes: Int { dense?.estimatedFootprintInBytes ?? packed.capacity + 64 }
}

extension LatencyHistogram: Equatable {
    public static func == (lhs: LatencyHistogram, rhs: LatencyHistogram) -> Bool {
        lhs.isPrecise == rhs.isPrecise && lhs.hdr == rhs.hdr
    }
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
