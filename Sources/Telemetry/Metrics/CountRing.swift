/// Event counts in fixed-width time buckets over a bounded span: a sliding window that answers
/// "how many in the last five minutes" in O(buckets) without keeping events.
struct CountRing: Sendable {
    struct Counts: Sendable, Equatable {
        var total = 0
        var errors = 0
        var slow = 0
    }

    let bucketWidth: Duration
    private var epochs: [Int64]
    private var counts: [Counts]

    /// - Parameters:
    ///   - bucketWidth: the resolution.
    ///   - span: the longest window that can be asked for.
    init(bucketWidth: Duration, span: Duration) {
        self.bucketWidth = bucketWidth
        let size = Int(span.nanoseconds / bucketWidth.nanoseconds) + 1
        epochs = Array(repeating: -1, count: size)
        counts = Array(repeating: Counts(), count: size)
    }

    mutating func add(at time: Duration, errors: Int = 0, slow: Int = 0, total: Int = 1) {
        let epoch = time.nanoseconds / bucketWidth.nanoseconds
        let slot = Int(epoch % Int64(epochs.count))
        if epochs[slot] != epoch {
            epochs[slot] = epoch
            counts[slot] = Counts()
        }
        counts[slot].total += total
        counts[slot].errors += errors
        counts[slot].slow += slow
    }

    /// Counts in the `window` that ends at `time` (whole buckets, the current one included).
    func sum(window: Duration, at time: Duration) -> Counts {
        let current = time.nanoseconds / bucketWidth.nanoseconds
        let buckets = min(Int64(epochs.count), max(1, window.nanoseconds / bucketWidth.nanoseconds))
        var result = Counts()
        for (slot, epoch) in epochs.enumerated() where epoch > current - buckets && epoch <= current {
            result.total += counts[slot].total
            result.errors += counts[slot].errors
            result.slow += counts[slot].slow
        }
        return result
    }
}
