import Foundation
import Reports

/// The terminal summary of a drill: a few lines and the before/after table.
public enum DrillText {
    public static func render(_ report: DrillReport) -> String {
        var lines = ["surge drill \(report.drill): \(report.passed ? "PASS" : "FAIL") — \(DrillHTML.summaryLine(report))"]
        if let diagnosis = report.detection.diagnosis {
            lines.append("  doctor:  \(diagnosis)")
        }
        if let fix = report.fix {
            for applied in fix.applied { lines.append("  applied: \(applied)") }
            for action in fix.actions { lines.append("  done:    \(action)") }
        }
        var table = TextTable(headers: ["", "before", "after"])
        for row in SurgeFigures.rows(brief: true) {
            table.append([row.name, row.value(report.before), report.after.map(row.value) ?? "—"])
        }
        lines.append("")
        lines.append(table.render())
        var times: [String] = []
        if let detect = report.secondsToDetect { times.append(String(format: "time to detect %.1f s", detect)) }
        if let resolve = report.secondsToResolve { times.append(String(format: "time to resolve %.1f s", resolve)) }
        times.append(String(format: "drill %.0f s", report.totalSeconds))
        lines.append(times.joined(separator: ", "))
        for objective in report.objectives {
            let held = report.after == nil ? objective.heldBefore : objective.heldAfter
            lines.append("  SLO \(objective.name) \(objective.target): \(held ? "held" : "MISSED")")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
