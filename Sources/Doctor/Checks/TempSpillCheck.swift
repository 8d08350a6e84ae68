/// Sorts and hashes that spill to temp files because work_mem is too small for them.
enum TempSpillCheck {
    static let blockBytes = 8192.0

    static func check(_ evidence: Evidence, _ thresholds: Thresholds) -> [Finding] {
        let database = evidence.databaseDelta
        let statementBytes = evidence.statementDeltas.reduce(0) { $0 + $1.tempBlocksWritten } * blockBytes
        let bytes = max(database.tempBytes, statementBytes)
        guard bytes >= thresholds.tempBytes else { return [] }
        let workMem = evidence.facts.workMemBytes
        let culprit = evidence.statementDeltas.filter { $0.tempBlocksWritten > 0 }.max { $0.tempBlocksWritten < $1.tempBlocksWritten }
        let perCall = culprit.map { $0.tempBlocksWritten * blockBytes / max($0.calls, 1) } ?? 0
        // Enough for the spill to fit in memory: the bytes it wrote per call, doubled, in whole MB.
        let suggested = max(workMem * 2, (perCall * 2 / 1024 / 1024).rounded(.up) * 1024 * 1024)
        let suggestedText = "\(Int(suggested / 1024 / 1024))MB"
        let object = culprit.map { "\"\(Seconds.statement($0.query, limit: 70))\" with work_mem = \(Seconds.bytes(workMem))" } ?? "work_mem = \(Seconds.bytes(workMem))"
        var evidenceLines = [
            "\(Seconds.bytes(database.tempBytes)) in \(Int(database.tempFiles)) temp files in \(Seconds.text(evidence.elapsedSeconds)) (pg_stat_database)",
        ]
        if let culprit {
            evidenceLines.append("statement: \(Int(culprit.calls)) calls wrote \(Seconds.bytes(culprit.tempBlocksWritten * blockBytes)) of temp blocks (\(Seconds.bytes(perCall)) per call): \(Seconds.statement(culprit.query, limit: 300))")
        }
        if let source = evidence.facts.setting("work_mem") {
            evidenceLines.append("work_mem = \(source.value) (from \(source.source)); a role, database or session can set its own")
        } else {
            evidenceLines.append("work_mem = \(Seconds.bytes(workMem)) (the default); a role, database or session can set its own")
        }
        if !evidence.facts.workMemOverrides.isEmpty {
            evidenceLines.append("work_mem set per role/database: " + evidence.facts.workMemOverrides.joined(separator: ", "))
        }
        return [Finding(
            cause: .tempSpill,
            object: object,
            keyEvidence: "\(Seconds.bytes(bytes)) written to temp files in \(Seconds.text(evidence.elapsedSeconds))\(culprit != nil ? ", \(Seconds.bytes(perCall)) per call" : "")",
            evidence: evidenceLines,
            fixes: [
                "SET LOCAL work_mem = '\(suggestedText)';  -- in the transaction that runs this statement (work_mem is per sort/hash node, per backend)",
                "ALTER DATABASE \(evidence.facts.database) SET work_mem = '\(suggestedText)';  -- only if memory allows \(suggestedText) × active connections",
                "or give the sort an index in ORDER BY order so it does not sort at all",
            ],
            impact: 30 + min(25, bytes / evidence.elapsedSeconds / (10 * 1024 * 1024) * 5),
            confidence: culprit != nil ? .high : .medium
        )]
    }
}
