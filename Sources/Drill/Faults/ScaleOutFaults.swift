import Database

/// A store instance dies mid-sale (SIGKILL: a crash, an OOM kill); removed by starting it again.
struct InstanceDeathFault: Fault {
    func inject(_ context: FaultContext) async throws -> String {
        guard let cluster = context.cluster else { return "not injected: no cluster" }
        return cluster.kill(instance: 0)
    }

    func remove(_ context: FaultContext) async throws -> String {
        guard let cluster = context.cluster else { return "nothing to remove" }
        return try cluster.restart(instance: 0)
    }
}

/// The replica stops replaying WAL (`pg_wal_replay_pause()`: what a long query holding back replay,
/// or a replica's slow disk, looks like from outside) and falls further behind with every write.
struct ReplicaLagFault: Fault {
    func inject(_ context: FaultContext) async throws -> String {
        guard let url = try context.cluster?.replicaURL() else { return "not injected: no replica" }
        try await AdminSession.with(url, logger: context.logger) { _ = try await $0.query("SELECT pg_wal_replay_pause()") }
        return "on the replica: SELECT pg_wal_replay_pause()"
    }

    func remove(_ context: FaultContext) async throws -> String {
        guard let url = try context.cluster?.replicaURL() else { return "nothing to remove" }
        try await AdminSession.with(url, logger: context.logger) { replica in
            do {
                _ = try await replica.query("SELECT pg_wal_replay_resume()")
            } catch where serverSQLState(error) == "40001" {
                // Replay, resumed, cancelled this very statement: the WAL it held back is older than
                // max_standby_streaming_delay, so a conflict cancels at once. Replay is running: check.
            }
            let paused = try await replica.query("SELECT pg_is_wal_replay_paused()").first?.decode(Bool.self) ?? true
            if paused { throw DrillError.faultStayed("replay on the replica is still paused") }
        }
        return "on the replica: SELECT pg_wal_replay_resume()"
    }
}
