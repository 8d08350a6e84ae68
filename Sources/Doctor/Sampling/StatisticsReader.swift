import Database
import PostgresNIO

/// Runs the doctor's statements on one connection and turns their rows into snapshot values.
struct StatisticsReader {
    let connection: DatabaseConnection

    func rows(_ sql: String) async throws -> [PostgresRow] {
        try await connection.query(PostgresQuery(unsafeSQL: sql))
    }

    func activity(at: Double) async throws -> ActivitySample {
        var sessions: [BackendActivity] = []
        for row in try await rows(DoctorSQL.activity) {
            let (pid, user, app, client, database, state, waitType, wait, xact, query, stateAge, xmin, wrote, text, blockers) =
                try row.decode((Int64, String?, String, String, String?, String?, String?, String?, Double?, Double?, Double?, Int64?, Bool, String?, [Int64]).self)
            sessions.append(BackendActivity(
                pid: Int(pid), user: user, application: app, client: client, database: database, state: state,
                waitEventType: waitType, waitEvent: wait, transactionSeconds: xact, querySeconds: query, stateSeconds: stateAge,
                xminAge: xmin.map(Int.init), wrote: wrote, query: text ?? "", blockedBy: blockers.map(Int.init)
            ))
        }
        return ActivitySample(at: at, sessions: sessions)
    }

    func statements() async throws -> [StatementCounters] {
        try await rows(DoctorSQL.statements).map { row in
            let (id, query, calls, time, count, temp, read) = try row.decode((String, String, Double, Double, Double, Double, Double).self)
            return StatementCounters(queryID: id, query: query, calls: calls, totalTimeMs: time, rows: count, tempBlocksWritten: temp, sharedBlocksRead: read)
        }
    }

    func database() async throws -> DatabaseCounters {
        guard let row = try await rows(DoctorSQL.database).first else { return DatabaseCounters() }
        let (commits, rollbacks, files, bytes, deadlocks, read, hit, age) = try row.decode((Double, Double, Double, Double, Double, Double, Double, Double?).self)
        return DatabaseCounters(commits: commits, rollbacks: rollbacks, tempFiles: files, tempBytes: bytes, deadlocks: deadlocks,
                                blocksRead: read, blocksHit: hit, statsAgeSeconds: age ?? 0)
    }

    func checkpoints(major: Int) async throws -> CheckpointCounters {
        guard let row = try await rows(major >= 17 ? DoctorSQL.checkpointer : DoctorSQL.bgwriter).first else { return CheckpointCounters() }
        let (timed, requested, buffers) = try row.decode((Double, Double, Double).self)
        var wal: Double?
        if major >= 14 { wal = try await rows(DoctorSQL.wal).first?.decode(Double.self) }
        return CheckpointCounters(timed: timed, requested: requested, buffersWritten: buffers, walBytes: wal)
    }

    func tables() async throws -> [TableCounters] {
        try await rows(DoctorSQL.tables).map { row in
            let (oid, name, reltuples, live, dead, modified, seq, seqRead, idx, vacuumAge, analyzeAge, options) =
                try row.decode((Int64, String, Double, Double, Double, Double, Double, Double, Double, Double?, Double?, [String]).self)
            return TableCounters(oid: oid, name: name, plannerRows: reltuples, liveTuples: live, deadTuples: dead, modifiedSinceAnalyze: modified,
                                 seqScans: seq, seqTuplesRead: seqRead, indexScans: idx, vacuumAgeSeconds: vacuumAge, analyzeAgeSeconds: analyzeAge, options: options)
        }
    }

    /// What the role may see and which extension is there, beside the limits.
    struct Access {
        var readsAllStats: Bool
        var hasStatStatements: Bool
        var statStatementsLoaded: Bool
    }

    func limits(host: String) async throws -> (ServerFacts, Access) {
        guard let row = try await rows(DoctorSQL.limits).first else { return (ServerFacts(), Access(readsAllStats: false, hasStatStatements: false, statStatementsLoaded: false)) }
        let (version, database, maxConnections, reserved, workMem, maxWal, configAge, freezeMax, allStats, pgss, pgssLoaded) =
            try row.decode((Int64, String, Int64, Int64, Double, Double, Double?, Int64, Bool, Bool, Bool?).self)
        let facts = ServerFacts(
            versionNumber: Int(version), database: database, maxConnections: Int(maxConnections), reservedConnections: Int(reserved),
            cores: HostCores.cores(forHost: host), workMemBytes: workMem, maxWalSizeBytes: maxWal, configurationAgeSeconds: configAge,
            freezeMaxAge: Int(freezeMax)
        )
        // Without pg_read_all_settings the preload list is hidden: try the extension's view, whose
        // failure then lands in `skipped` with PostgreSQL's own message.
        return (facts, Access(readsAllStats: allStats, hasStatStatements: pgss, statStatementsLoaded: pgssLoaded ?? pgss))
    }

    /// Fills in freeze ages, changed settings and replicas.
    func details(_ facts: inout ServerFacts) async throws {
        if let row = try await rows(DoctorSQL.oldestFrozenDatabase).first {
            let (name, age) = try row.decode((String, Int64).self)
            facts.oldestFrozenDatabase = name
            facts.frozenXIDAge = Int(age)
        }
        if let row = try await rows(DoctorSQL.oldestFrozenTable).first {
            let (name, age) = try row.decode((String, Int64).self)
            facts.oldestFrozenTable = name
            facts.oldestFrozenTableAge = Int(age)
        }
        facts.changedSettings = try await rows(DoctorSQL.changedSettings).map { row in
            let (name, value, source) = try row.decode((String, String, String).self)
            return ChangedSetting(name: name, value: value, source: source)
        }
        facts.workMemOverrides = try await rows(DoctorSQL.workMemOverrides).map { row in
            let (role, database, value) = try row.decode((String, String, String).self)
            let scope = [role.isEmpty ? nil : "role \(role)", database.isEmpty ? nil : "database \(database)"].compactMap { $0 }.joined(separator: " in ")
            return "\(scope): \(value)"
        }
        facts.replicas = try await rows(DoctorSQL.replicas).map { row in
            let (name, client, state, lag, bytes) = try row.decode((String, String, String, Double?, Double?).self)
            return Replica(name: name, client: client, state: state, replayLagSeconds: lag, lagBytes: bytes)
        }
    }
}
