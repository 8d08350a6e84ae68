import Foundation
import Reports

/// Renders `surge analyze` findings as a terminal report or JSON.
public enum FindingsReport {
    public static func text(_ findings: [Finding]) -> String {
        guard !findings.isEmpty else { return "no findings\n" }
        var table = TextTable(headers: ["#", "severity", "rule", "where"])
        for (i, finding) in findings.enumerated() {
            table.append(["\(i + 1)", finding.severity.rawValue, finding.code, AdviceReport.oneLine(finding.statement ?? finding.table ?? "", limit: 90)])
        }
        var text = table.render() + "\n"
        for (i, finding) in findings.enumerated() {
            text += "\n\(i + 1). [\(finding.severity.rawValue)] \(finding.code)"
            if let table = finding.table { text += " on \(table)" }
            text += "\n"
            if let statement = finding.statement { text += "   statement: \(AdviceReport.oneLine(statement, limit: 200))\n" }
            text += "   why: \(finding.why)\n   do:  \(finding.fix)\n"
        }
        return text
    }

    public static func json(_ findings: [Finding]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(findings), as: UTF8.self)
    }
}
