import Foundation

/// `surge analyze` as steps: top statements → plans → rules per statement → table health → ranking.
public struct Analyzer {
    /// Run `EXPLAIN (ANALYZE, BUFFERS)` (executes statements without parameters, in a rolled-back transaction).
    public var analyze: Bool
    /// Plan at most this many statements (the most expensive first).
    public var maxPlans: Int

    public init(analyze: Bool = false, maxPlans: Int = 50) {
        self.analyze = analyze
        self.maxPlans = maxPlans
    }

    /// Ranked findings: by severity, then by the statement's total time.
    public func findings(session: PlanningSession?, workload: Workload, catalog: Catalog?) async -> [Finding] {
        var findings = TopStatements.check(workload)
        let ordered = workload.statements.enumerated().sorted { ($0.element.totalTimeMs ?? 0, -Double($0.offset)) > ($1.element.totalTimeMs ?? 0, -Double($1.offset)) }
        for (rank, (_, statement)) in ordered.enumerated() {
            var plan: Plan?
            if let session, rank < maxPlans {
                plan = try? await session.explain(statement, analyze: analyze)
                // A write cannot be analyzed in the read-only transaction: fall back to its estimate.
                if plan == nil && analyze { plan = try? await session.explain(statement) }
            }
            let input = LintInput(statement: statement, plan: plan, catalog: catalog)
            for rule in AntiPatternRules.all + [PlanProblemRule()] as [any LintRule] {
                findings += rule.check(input)
            }
        }
        if let catalog { findings += TableHealth.check(catalog) }
        return Self.rank(findings)
    }

    static func rank(_ findings: [Finding]) -> [Finding] {
        findings.enumerated().sorted { a, b in
            if a.element.severity != b.element.severity { return a.element.severity > b.element.severity }
            let ia = a.element.impactMs ?? 0, ib = b.element.impactMs ?? 0
            if ia != ib { return ia > ib }
            return a.offset < b.offset
        }.map(\.element)
    }
}
