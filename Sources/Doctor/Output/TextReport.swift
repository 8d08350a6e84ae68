/// The verdict as plain text: one DIAGNOSIS line per cause first, then the evidence, then FIX lines.
public enum TextReport {
    public static func render(_ verdict: Verdict) -> String {
        var lines: [String] = []
        if verdict.healthy {
            lines.append("DIAGNOSIS: no database fault")
        } else {
            lines += verdict.findings.map(\.diagnosisLine)
        }
        lines.append("")
        for (index, finding) in verdict.findings.enumerated() {
            lines.append("[\(index + 1)] \(finding.cause.title) — confidence \(finding.confidence.rawValue)")
            for line in finding.evidence { lines.append("  " + line) }
            for fix in finding.fixes { lines.append("  FIX: " + fix) }
            lines.append("")
        }
        lines.append("SEEN (\(Seconds.text(verdict.windowSeconds)) window, \(verdict.samples) activity samples):")
        for line in verdict.seen { lines.append("  " + line) }
        if !verdict.skipped.isEmpty {
            lines.append("SKIPPED:")
            for skipped in verdict.skipped { lines.append("  \(skipped.check): \(skipped.reason)") }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
