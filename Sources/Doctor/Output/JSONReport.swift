import Foundation

/// The verdict as JSON: findings (cause code, object, evidence, fixes, confidence), what was seen, what was skipped.
public enum JSONReport {
    struct Document: Encodable {
        var diagnosis: [String]
        var healthy: Bool
        var findings: [Finding]
        var seen: [String]
        var skipped: [SkippedCheck]
        var windowSeconds: Double
        var samples: Int
    }

    /// Pretty by default; `pretty: false` gives one line per verdict (a stream under `--watch`).
    public static func render(_ verdict: Verdict, pretty: Bool = true) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        let document = Document(
            diagnosis: verdict.healthy ? ["DIAGNOSIS: no database fault"] : verdict.findings.map(\.diagnosisLine),
            healthy: verdict.healthy, findings: verdict.findings, seen: verdict.seen, skipped: verdict.skipped,
            windowSeconds: (verdict.windowSeconds * 1000).rounded() / 1000, samples: verdict.samples
        )
        return String(decoding: try encoder.encode(document), as: UTF8.self)
    }
}
