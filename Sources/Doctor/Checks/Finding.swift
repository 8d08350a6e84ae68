/// One cause the doctor names, with the object it names, what it saw and how to fix it.
public struct Finding: Sendable, Codable, Equatable {
    public var cause: Cause
    /// The object at fault: a pid, a statement and table, a setting, a cache.
    public var object: String
    /// The one piece of evidence that goes on the DIAGNOSIS line.
    public var keyEvidence: String
    public var evidence: [String]
    /// Exact SQL or actions; the doctor never runs them.
    public var fixes: [String]
    /// How much of the incident this explains, 0…100: the ranking's first key.
    public var impact: Double
    public var confidence: Confidence
    /// Sessions this finding is about (for folding one cause into another).
    public var pids: [Int]

    public init(cause: Cause, object: String, keyEvidence: String, evidence: [String] = [], fixes: [String] = [],
                impact: Double, confidence: Confidence, pids: [Int] = []) {
        self.cause = cause
        self.object = object
        self.keyEvidence = keyEvidence
        self.evidence = evidence
        self.fixes = fixes
        self.impact = impact
        self.confidence = confidence
        self.pids = pids
    }

    /// `DIAGNOSIS: <cause> — <object> (<key evidence>)`.
    public var diagnosisLine: String {
        "DIAGNOSIS: \(cause.title) — \(object) (\(keyEvidence))"
    }
}

/// How sure the doctor is: high when the evidence held over the whole window.
public enum Confidence: String, Sendable, Codable, Comparable {
    case low, medium, high

    var weight: Double {
        switch self {
        case .low: 0.5
        case .medium: 0.75
        case .high: 1
        }
    }

    public static func < (a: Confidence, b: Confidence) -> Bool { a.weight < b.weight }

    /// High when seen in at least 80% of the samples, medium from 50%, low below.
    static func persistence(_ share: Double) -> Confidence {
        share >= 0.8 ? .high : share >= 0.5 ? .medium : .low
    }
}
