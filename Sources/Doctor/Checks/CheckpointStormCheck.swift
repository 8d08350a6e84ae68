/// Checkpoints forced by WAL volume (max_wal_size reached) instead of by the timer.
enum CheckpointStormCheck {
    static func check(_ evidence: Evidence, _ thresholds: Thresholds) -> [Finding] {
        guard let delta = evidence.checkpointDelta, delta.requested >= 1 else { return [] }
        let maxWal = evidence.facts.maxWalSizeBytes
        // A manual CHECKPOINT or CREATE DATABASE also requests one, with little WAL: ask for the volume too.
        if let wal = delta.walBytes {
            guard wal >= maxWal * 0.5 else { return [] }
        } else {
            guard delta.requested >= 2 else { return [] }
        }
        let rate = delta.walBytes.map { Seconds.bytes($0 / evidence.elapsedSeconds) + "/s of WAL" } ?? "WAL volume unknown (PostgreSQL < 14)"
        let suggested = "\(Int((maxWal * 4 / 1024 / 1024 / 1024).rounded(.up)))GB"
        return [Finding(
            cause: .checkpointStorm,
            object: "max_wal_size = \(Seconds.bytes(maxWal))",
            keyEvidence: "\(Int(delta.requested)) requested checkpoint\(delta.requested == 1 ? "" : "s") (\(Int(delta.timed)) timed) in \(Seconds.text(evidence.elapsedSeconds)), \(rate)",
            evidence: ["\(Int(delta.buffersWritten)) buffers written by checkpoints in the window; each requested checkpoint also makes the next writes full-page images"],
            fixes: [
                "ALTER SYSTEM SET max_wal_size = '\(suggested)'; SELECT pg_reload_conf();  -- checkpoints by the timer, not by WAL volume",
                "look for the bulk write behind the WAL (a batch job, an UPDATE of a whole table)",
            ],
            impact: 35,
            confidence: delta.requested >= 2 ? .high : .medium
        )]
    }
}
