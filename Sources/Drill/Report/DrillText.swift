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
        func row(_ name: String, _ format: (SurgeFigures) -> String) {
            table.append([name, format(report.before), report.after.map(format) ?? "—"])
        }
        row("profile") { $0.profile }
        row("checkout completion") { String(format: "%.1f%%", $0.checkoutCompletionPercent) }
        row("add-to-cart completion") { String(format: "%.1f%%", $0.addToCartCompletionPercent) }
        row("checkout p99") { String(format: "%.0f ms", $0.checkoutP99Milliseconds) }
        row("product page p99") { String(format: "%.0f ms", $0.productPageP99Milliseconds) }
        row("goodput") { String(format: "%.0f/s", $0.goodputPerSecond) }
        row("failed or shed") { String(format: "%.1f%%", $0.errorPercent) }
        row("failures") { $0.failures.isEmpty ? "none" : $0.failures.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") }
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
