/// Plan problems: big sequential scans for few rows, sorts on disk, misestimates, nested loops over many rows.
public struct PlanProblemRule: LintRule {
    public let code = "plan"
    /// Tables from this many rows up are worth an index for a selective filter.
    public static let largeTableRows = 10_000.0
    /// A filter is selective when it keeps at most this share of the rows.
    public static let selectiveShare = 0.05
    /// Estimates off by this factor (either way) are misestimates.
    public static let misestimateFactor = 10.0
    /// A nested loop whose outer side has this many rows is suspicious.
    public static let nestedLoopRows = 10_000.0
    public init() {}

    public func check(_ input: LintInput) -> [Finding] {
        guard let plan = input.plan else { return [] }
        var findings: [Finding] = []
        for node in plan.root.allNodes {
            if node.nodeType == "Seq Scan", let relation = node.relationName, let filter = node.filter {
                let table = input.catalog?.table(named: relation)
                let rows = table?.rows ?? ((node.rowsRemovedByFilter ?? 0) + (node.actualRows ?? node.planRows))
                let kept = node.actualRows ?? node.planRows
                if rows >= Self.largeTableRows, kept <= rows * Self.selectiveShare {
                    findings.append(input.finding(
                        .warning, "seq_scan_selective", table: table?.qualifiedName ?? relation,
                        why: "sequential scan of \(relation) (~\(Int(rows)) rows) keeps only ~\(Int(kept)) rows through Filter: \(filter)",
                        fix: "index the filtered columns: run `surge advise` for the exact index (equality columns first, then range/ORDER BY)"
                    ))
                }
            }
            if node.nodeType == "Sort", node.sortSpaceType == "Disk" {
                findings.append(input.finding(
                    .warning, "sort_spills_to_disk",
                    why: "the sort on \((node.sortKey ?? []).joined(separator: ", ")) spilled to disk (\(node.sortMethod ?? "external"))",
                    fix: "an index in ORDER BY order (with the equality columns first) removes the sort; otherwise raise work_mem for this query (SET LOCAL work_mem = '64MB')"
                ))
            }
            if let actual = node.actualRows, let loops = node.actualLoops, loops > 0 {
                let estimate = node.planRows
                let high = max(actual, estimate), low = max(min(actual, estimate), 1)
                if high >= 1000, high / low >= Self.misestimateFactor {
                    findings.append(input.finding(
                        .warning, "misestimate", table: node.relationName,
                        why: "\(node.nodeType)\(node.relationName.map { " on \($0)" } ?? "") estimated \(Int(estimate)) rows but produced \(Int(actual)) per loop: plans built on this guess can be badly wrong",
                        fix: "ANALYZE \(node.relationName ?? "the tables"); for correlated columns CREATE STATISTICS … (dependencies, mcv) ON col_a, col_b FROM \(node.relationName ?? "the_table")"
                    ))
                }
            }
            if node.nodeType == "Nested Loop", let outer = node.plans?.first {
                let outerRows = outer.actualTotalRows ?? outer.planRows
                if outerRows >= Self.nestedLoopRows {
                    findings.append(input.finding(
                        .warning, "nested_loop_many_rows",
                        why: "a nested loop runs its inner side ~\(Int(outerRows)) times (outer: \(outer.nodeType)\(outer.relationName.map { " on \($0)" } ?? ""))",
                        fix: "index the inner side's join key so each loop is one index probe, or check the row estimates (ANALYZE) so the planner can pick a hash join"
                    ))
                }
            }
        }
        return findings
    }
}
