/// Replicas that replay far behind the primary.
enum ReplicationLagCheck {
    static func check(_ evidence: Evidence, _ thresholds: Thresholds) -> [Finding] {
        evidence.facts.replicas.compactMap { replica -> Finding? in
            guard let lag = replica.replayLagSeconds, lag >= thresholds.replicaLagSeconds else { return nil }
            return Finding(
                cause: .replicationLag,
                object: "replica \(replica.name) at \(replica.client)",
                keyEvidence: "replays \(Seconds.text(lag)) behind\(replica.lagBytes.map { ", \(Seconds.bytes($0)) of WAL" } ?? ""), state \(replica.state)",
                fixes: [
                    "route reads that must see their writes to the primary until it catches up",
                    "on the replica: look for long queries conflicting with replay (pg_stat_database_conflicts) and its disk/network",
                ],
                impact: 30,
                confidence: .high
            )
        }
    }
}
