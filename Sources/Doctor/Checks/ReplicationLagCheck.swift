/// Replicas that replay far behind the primary: from the primary's `pg_stat_replication` (replay lag
/// at least `replicaLagSeconds`), and from the store's own view when the doctor reads its `/metrics`:
/// a replica the store has stopped reading from because it lags (`surge_db_replica_usable` 0 with
/// `surge_db_replica_lag_seconds` at least `storeReplicaLagSeconds`), whose catalog reads all land on
/// the primary. The store's view comes first: it knows within a probe interval, where the replay
/// lag has to build up to the threshold.
enum ReplicationLagCheck {
    static func check(_ evidence: Evidence, _ thresholds: Thresholds) -> [Finding] {
        var findings: [Finding] = []
        if let store = StoreWindow(evidence) {
            for backend in store.last.labelValues("surge_db_replica_usable", "backend") {
                let labels = ["backend": backend]
                guard store.gauge("surge_db_replica_usable", labels) == 0,
                      let lag = store.gauge("surge_db_replica_lag_seconds", labels), lag >= thresholds.storeReplicaLagSeconds else { continue }
                let primaryView = evidence.facts.replicas.first { $0.replayLagSeconds != nil }
                findings.append(Finding(
                    cause: .replicationLag,
                    object: "replica \(backend) (as the store names it)",
                    keyEvidence: "the store measures it \(Seconds.text(lag)) behind the primary and reads the catalog from the primary instead",
                    evidence: primaryView.map { ["the primary's pg_stat_replication: \($0.name) at \($0.client) replays \(Seconds.text($0.replayLagSeconds ?? 0)) behind, state \($0.state)"] } ?? [],
                    fixes: Self.fixes,
                    impact: 30,
                    confidence: .high
                ))
            }
        }
        for replica in evidence.facts.replicas where findings.isEmpty {
            guard let lag = replica.replayLagSeconds, lag >= thresholds.replicaLagSeconds else { continue }
            findings.append(Finding(
                cause: .replicationLag,
                object: "replica \(replica.name) at \(replica.client)",
                keyEvidence: "replays \(Seconds.text(lag)) behind\(replica.lagBytes.map { ", \(Seconds.bytes($0)) of WAL" } ?? ""), state \(replica.state)",
                fixes: Self.fixes,
                impact: 30,
                confidence: .high
            ))
        }
        return findings
    }

    static let fixes = [
        "on the replica: SELECT pg_is_wal_replay_paused(); resume a paused replay with SELECT pg_wal_replay_resume()",
        "look for long queries conflicting with replay (pg_stat_database_conflicts) and for the replica's disk and network",
        "route reads that must see their writes to the primary until it catches up",
    ]
}
