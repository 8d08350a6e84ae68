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

    static func rank(_ findings: [Finding]) -> [Finding] {
        findings.enumerated().sorted { a, b in
            let sa = a.element.impact * a.element.confidence.weight, sb = b.element.impact * b.element.confidence.weight
            return sa != sb ? sa > sb : a.offset < b.offset
        }.map(\.element)
    }
}
