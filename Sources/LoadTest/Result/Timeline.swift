/// Per-interval counts and latency of a phase, with bounded memory: when a run outgrows `maxBuckets`,
/// neighbouring buckets merge and the interval doubles.
public struct Timeline: Codable, Sendable, Equatable {
    public struct Bucket: Codable, Sendable, Equatable {
        public var arrivals = 0
        public var dropped = 0
        public var counts = Counts()
        /// Request latency from the intended start (2 significant digits).
        public var latency = LatencyHistogram(precise: false)

        public init() {}

        public mutating func merge(_ other: Bucket) {
            arrivals += other.arrivals
            dropped += other.dropped
            counts.merge(other.counts)
            latency.merge(other.latency)
        }
    }

    public static let maxBuckets = 600

    public var bucketSeconds: Int = 1
    public var buckets: [Bucket] = []

    public init() {}

    /// The bucket for an event at `offsetNanos` from the phase start (coarsening when needed).
    mutating func index(offsetNanos: Int64) -> Int {
        var index = Int(max(0, offsetNanos) / (Int64(bucketSeconds) * 1_000_000_000))
        while index >= Self.maxBuckets {
            coarsen()
            index /= 2
        }
        while buckets.count <= index { buckets.append(Bucket()) }
        return index
    }

    mutating func coarsen() {
        var merged: [Bucket] = []
        merged.reserveCapacity(buckets.count / 2 + 1)
        var index = 0
        while index < buckets.count {
            var bucket = buckets[index]
            if index + 1 < buckets.count { bucket.merge(buckets[index + 1]) }
            merged.append(bucket)
            index += 2
        }
        buckets = merged
        bucketSeconds *= 2
    }

    /// Compacts the latency of every bucket that ends before `offsetNanos` from the phase start
    /// (no more responses can land in it): memory then grows by a few hundred bytes a bucket, not ~26 KB.
    mutating func compact(endingBeforeOffsetNanos offsetNanos: Int64) {
        let width = Int64(bucketSeconds) * 1_000_000_000
        let closed = min(buckets.count, Int(max(0, offsetNanos) / width))
        for index in 0..<max(0, closed) where !buckets[index].latency.isCompacted {
            buckets[index].latency.compact()
        }
    }

    /// Adds `other` bucket by bucket (both are first brought to the same interval).
    public mutating func merge(_ other: Timeline) {
        var other = other
        while bucketSeconds < other.bucketSeconds { coarsen() }
        while other.bucketSeconds < bucketSeconds { other.coarsen() }
        for (index, bucket) in other.buckets.enumerated() {
            if index < buckets.count {
                buckets[index].merge(bucket)
            } else {
                buckets.append(bucket)  // a copy shares the other's (compacted) storage: no empty dense bucket
            }
        }
    }
}
