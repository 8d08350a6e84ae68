import Foundation
import Reports

/// Renders advice: the migration, a terminal table, markdown, JSON.
public enum AdviceReport {
    /// The migration: one `CREATE INDEX CONCURRENTLY` per recommendation, with the statements it
    /// serves and the predicted cost change as comments, then the DROP suggestions.
    public static func migration(_ advice: Advice) -> String {
        var lines: [String] = [
            "-- surge advise: \(advice.indexes.count) new index(es), \(advice.drops.count) drop suggestion(s) for \(advice.statementsAnalyzed) statement(s) (\(advice.source))",
            "-- predicted workload cost (Σ cost × calls): \(number(advice.workloadCostBefore)) → \(number(advice.workloadCostAfter)) (\(change(advice.workloadCostBefore, advice.workloadCostAfter)))",
            "-- CREATE INDEX CONCURRENTLY cannot run inside a transaction: apply statement by statement (psql -f, no --single-transaction).",
        ]
        if let verified = advice.workloadCostVerified {
            lines.append("-- measured after building (--verify): \(number(verified)) (\(change(advice.workloadCostBefore, verified)))")
        }
        if let time = advice.measuredTime {
            lines.append(String(format: "-- real execution time (--verify, %d statement(s) that run without parameter values, Σ calls × median of 3): %.1f ms → %.1f ms",
                                time.statements, time.beforeMs, time.afterMs) + " (\(change(time.beforeMs, time.afterMs)))")
        }
        for recommendation in advice.indexes {
            lines.append("")
            if recommendation.simulated {
                lines.append("-- saves \(number(recommendation.netGain)) cost units over the workload (write penalty \(number(recommendation.writePenalty))), ~\(bytes(recommendation.estimatedBytes))")
            } else {
                lines.append("-- recommended by rule (HypoPG cannot simulate \(recommendation.candidate.method.uppercased()) indexes): replaces a sequential scan")
                if recommendation.candidate.operatorClass == "gin_trgm_ops" { lines.append("CREATE EXTENSION IF NOT EXISTS pg_trgm;") }
            }
            for served in recommendation.serves {
                let share = served.timeSharePercent.map { String(format: ", %.1f%% of DB time", $0) } ?? ""
                lines.append("-- serves (\(number(served.calls)) calls\(share), cost \(number(served.costBefore)) → \(recommendation.simulated ? number(served.costAfter) : "?")): \(oneLine(served.statement, limit: 160))")
                if let before = served.planBefore {
                    lines.append("--   plan: \(oneLine(before, limit: 120))" + (served.planAfter.map { "\n--      → \(oneLine($0, limit: 120))" } ?? ""))
                }
            }
            lines.append(recommendation.ddl)
        }
        if !advice.rejected.isEmpty {
            lines.append("")
            lines.append("-- Considered and not recommended:")
            for rejected in advice.rejected.prefix(10) {
                lines.append("--   \(oneLine(rejected.definition, limit: 120)): \(rejected.reason)")
            }
        }
        if !advice.drops.isEmpty {
            lines.append("")
            lines.append("-- Existing indexes to review (each costs writes and space):")
            for drop in advice.drops {
                lines.append("-- \(drop.reason.rawValue): \(drop.detail) (\(bytes(drop.bytes)))")
                lines.append(drop.ddl)
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A terminal table of the recommendations and drops.
    public static func table(_ advice: Advice) -> String {
        var table = TextTable(headers: ["action", "index", "statements", "cost before", "cost after", "size"])
        for recommendation in advice.indexes {
            let before = recommendation.serves.reduce(0) { $0 + $1.calls * $1.costBefore }
            let after = recommendation.serves.reduce(0) { $0 + $1.calls * $1.costAfter }
            table.append([
                "create", recommendation.candidate.definition.replacingOccurrences(of: "CREATE INDEX ON ", with: ""),
                "\(recommendation.serves.count)", number(before), recommendation.simulated ? number(after) : "?", bytes(recommendation.estimatedBytes),
            ])
        }
        for drop in advice.drops {
            table.append(["drop (\(drop.reason.rawValue))", "\(drop.index) on \(drop.table)", "", "", "", bytes(drop.bytes)])
        }
        var text = "workload: \(advice.statementsAnalyzed) statements from \(advice.source); predicted cost \(number(advice.workloadCostBefore)) → \(number(advice.workloadCostAfter)) (\(change(advice.workloadCostBefore, advice.workloadCostAfter)))\n"
        if let verified = advice.workloadCostVerified { text += "verified after building: \(number(verified)) (\(change(advice.workloadCostBefore, verified)))\n" }
        text += "\n" + table.render() + "\n"
        if !advice.skipped.isEmpty {
            text += "\nnot planned (\(advice.skipped.count)):\n" + advice.skipped.prefix(10).map { "  \(oneLine($0.statement, limit: 100)): \($0.reason)" }.joined(separator: "\n") + "\n"
        }
        return text + "\n" + migration(advice)
    }

    /// Markdown: a summary table and the migration in a code block.
    public static func markdown(_ advice: Advice) -> String {
        var lines = [
            "## surge advise",
            "",
            "\(advice.statementsAnalyzed) statements (\(advice.source)); predicted workload cost **\(number(advice.workloadCostBefore)) → \(number(advice.workloadCostAfter))** (\(change(advice.workloadCostBefore, advice.workloadCostAfter))).",
            "",
            "| action | index | serves | cost before → after | size |",
            "|---|---|---|---|---|",
        ]
        for r in advice.indexes {
            let before = r.serves.reduce(0) { $0 + $1.calls * $1.costBefore }
            let after = r.serves.reduce(0) { $0 + $1.calls * $1.costAfter }
            lines.append("| create | `\(r.candidate.definition)` | \(r.serves.count) statement(s) | \(number(before)) → \(r.simulated ? number(after) : "?") | \(bytes(r.estimatedBytes)) |")
        }
        for d in advice.drops {
            lines.append("| drop (\(d.reason.rawValue)) | `\(d.index)` on `\(d.table)` | \(d.detail.replacingOccurrences(of: "|", with: "\\|")) | | \(bytes(d.bytes)) |")
        }
        lines += ["", "```sql", migration(advice).trimmingCharacters(in: .newlines), "```", ""]
        return lines.joined(separator: "\n")
    }

    /// Stable JSON (sorted keys).
    public static func json(_ advice: Advice) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(advice), as: UTF8.self)
    }

    static func number(_ value: Double) -> String {
        if value >= 1_000_000 { return String(format: "%.1fM", value / 1_000_000) }
        if value >= 10_000 { return String(format: "%.0fk", value / 1000) }
        return String(format: value >= 100 ? "%.0f" : "%.1f", value)
    }

    static func change(_ before: Double, _ after: Double) -> String {
        guard before > 0 else { return "n/a" }
        return String(format: "%+.1f%%", (after - before) / before * 100)
    }

    static func bytes(_ value: Int64) -> String {
        if value <= 0 { return "-" }
        if value >= 1 << 30 { return String(format: "%.1f GB", Double(value) / Double(1 << 30)) }
        if value >= 1 << 20 { return String(format: "%.1f MB", Double(value) / Double(1 << 20)) }
        return String(format: "%.0f kB", Double(value) / 1024)
    }

    static func oneLine(_ text: String, limit: Int) -> String {
        let line = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        return line.count > limit ? String(line.prefix(limit - 1)) + "…" : line
    }
}
