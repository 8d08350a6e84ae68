/// Knobs of the index selection.
public struct AdviseOptions: Sendable {
    /// At most this many new indexes.
    public var maxIndexes: Int
    /// At most this many bytes of new indexes (HypoPG's size estimates, less what B-tree deduplication saves); `nil` = no limit.
    public var maxBytes: Int64?
    /// An index must save at least this share of the workload's cost (percent), or halve the cost
    /// of the statements it serves.
    public var minGainPercent: Double
    /// Cost units charged per written row per new index on the table.
    public var writeCostPerRow: Double
    /// Candidates kept for the greedy rounds by their gain alone; each statement's best is kept besides.
    public var candidatePool: Int

    public init(maxIndexes: Int = 10, maxBytes: Int64? = nil, minGainPercent: Double = 1, writeCostPerRow: Double = 1, candidatePool: Int = 40) {
        self.maxIndexes = maxIndexes
        self.maxBytes = maxBytes
        self.minGainPercent = minGainPercent
        self.writeCostPerRow = writeCostPerRow
        self.candidatePool = candidatePool
    }
}
