/// What the doctor concludes from one window: the causes, most important first, what it saw
/// besides, and what it could not look at.
public struct Verdict: Sendable, Codable, Equatable {
    public var findings: [Finding]
    /// What the doctor saw that is not a fault (demand, connections, the top statement, CPU).
    public var seen: [String]
    public var skipped: [SkippedCheck]
    public var windowSeconds: Double
    public var samples: Int

    public var healthy: Bool { findings.isEmpty }
}

/// Turns evidence into a verdict: runs every check, folds findings that describe one cause twice,
/// ranks by impact weighed by confidence.
public enum Diagnosis {
    public static func verdict(_ evidence: Evidence, thresholds: Thresholds = .init()) -> Verdict {
        let findings = Checks.all.flatMap { $0.run(evidence, thresholds) }
        return Verdict(
            findings: rank(fold(findings)),
            seen: Observations.describe(evidence, thresholds),
            skipped: evidence.skipped,
            windowSeconds: evidence.elapsedSeconds,
            samples: evidence.activity.count
        )
    }

    /// A session at the root of a blocking chain is named there: its idle-in-transaction or
    /// long-running finding would be the same cause twice.
    static func fold(_ findings: [Finding]) -> [Finding] {
        let roots = Set(findings.filter { $0.cause == .blockingChain }.flatMap(\.pids))
        return findings.filter { finding in
            guard finding.cause == .idleInTransaction || finding.cause == .longRunningQuery else { return true }
            return roots.isDisjoint(with: finding.pids)
        }
    }

    /// Causes that make the store's requests hold their admission slots longer, and so make the
    /// limiter shed: when one is found, the shedding is its symptom, not a second cause.
    static let sheddingCauses: Set<Cause> = [.slowPaymentProvider, .poolStarvation, .cacheStampede]

    /// Impact weighed by confidence, most first; a symptom ranks right after the cause that explains it.
    static func rank(_ findings: [Finding]) -> [Finding] {
        let score = { (finding: Finding) in finding.impact * finding.confidence.weight }
        let explaining = findings.filter { sheddingCauses.contains($0.cause) }
        let ranked = findings.enumerated().map { offset, finding -> (finding: Finding, score: Double, symptom: Bool, offset: Int) in
            guard finding.cause == .admissionShedding, let cause = explaining.max(by: { score($0) < score($1) }) else {
                return (finding, score(finding), false, offset)
            }
            var symptom = finding
            symptom.evidence.append("a symptom of the \(cause.cause.title) above: requests hold their slots longer, so the limiter sheds")
            return (symptom, min(score(finding), score(cause)), true, offset)
        }
        return ranked.sorted { a, b in
            if a.score != b.score { return a.score > b.score }
            if a.symptom != b.symptom { return !a.symptom }
            return a.offset < b.offset
        }.map(\.finding)
    }
}
