/// One statement an index serves, with its estimated cost per call before and after.
public struct ServedStatement: Sendable, Codable, Equatable {
    /// The statement without literal values.
    public var statement: String
    public var calls: Double
    public var costBefore: Double
    public var costAfter: Double
    /// The statement's share of the workload's measured time (percent), when times are known.
    public var timeSharePercent: Double?
    /// Outline of the plan before and after (`Limit > Sort > Seq Scan on users` → `Limit > Index Scan …`).
    public var planBefore: String?
    public var planAfter: String?
}

/// A candidate the advisor considered and did not recommend, and why.
public struct RejectedCandidate: Sendable, Codable, Equatable {
    /// `CREATE INDEX ON …`.
    public var definition: String
    public var reason: String
}

/// A recommended new index.
public struct IndexRecommendation: Sendable, Codable, Equatable {
    public var candidate: IndexCandidate
    /// `CREATE INDEX CONCURRENTLY … ;`
    public var ddl: String
    /// Estimated size (HypoPG's estimate; 0 when not simulated).
    public var estimatedBytes: Int64
    /// Workload cost saved (cost units × calls), net of the write penalty.
    public var netGain: Double
    /// The cost of maintaining the index under the table's writes (cost units).
    public var writePenalty: Double
    /// False for GIN indexes recommended by rule (HypoPG cannot simulate them).
    public var simulated: Bool
    public var serves: [ServedStatement]
    /// Measured cost per statement after building it (`--verify` only).
    public var verifiedCostAfter: [Double]?
}

/// Why an existing index should go.
public enum DropReason: String, Sendable, Codable {
    case invalid, duplicate, overlapping, unused
}

/// A recommended DROP.
public struct DropRecommendation: Sendable, Codable, Equatable {
    public var index: String
    public var table: String
    public var reason: DropReason
    /// Why, in words (names the index that makes it redundant).
    public var detail: String
    public var bytes: Int64
    public var ddl: String
}

/// A statement the advisor could not plan, and why.
public struct SkippedStatement: Sendable, Codable, Equatable {
    public var statement: String
    public var reason: String
}

/// The result of `surge advise`.
public struct Advice: Sendable, Codable, Equatable {
    public var serverVersion: Int
    public var source: String
    public var statementsAnalyzed: Int
    /// Σ cost × calls of the workload with the existing indexes.
    public var workloadCostBefore: Double
    /// The same with the recommended (simulated) indexes added.
    public var workloadCostAfter: Double
    /// Measured after building the indexes (`--verify` only).
    public var workloadCostVerified: Double?
    public var indexes: [IndexRecommendation]
    public var drops: [DropRecommendation]
    public var skipped: [SkippedStatement]
    /// Candidates considered and not recommended (the most promising first).
    public var rejected: [RejectedCandidate] = []
    /// Real execution time before and after building the indexes (`--verify` only).
    public var measuredTime: MeasuredTime?
}

/// Real execution time of the statements `--verify` could run (Σ calls × median of three runs).
public struct MeasuredTime: Sendable, Codable, Equatable {
    /// How many statements ran (those without parameters).
    public var statements: Int
    public var beforeMs: Double
    public var afterMs: Double
}
