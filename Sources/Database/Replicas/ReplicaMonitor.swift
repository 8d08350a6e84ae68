import Logging
import PostgresNIO
import ServiceLifecycle

/// Reads the primary's WAL position and each replica's replay position every `probeInterval`, and
/// tells `ReplicaRouting` how far behind each replica is (or that it cannot be used).
struct ReplicaMonitor: Service {
    let router: ReadRouter

    static let primaryPosition: PostgresQuery = "SELECT pg_current_wal_lsn()::text"
    static let replicaPosition: PostgresQuery = "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text"

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            var estimator = ReplicaLagEstimator()
            var reported: [String?] = Array(repeating: nil, count: router.replicas.count)
            while !Task.isCancelled {
                if let lsn = await position(router.primary, Self.primaryPosition, replica: false) {
                    estimator.primary(at: .now, lsn: lsn)
                }
                for (index, replica) in router.replicas.enumerated() {
                    let observation: ReplicaRouting.Observation
                    if replica.database.breaker?.isOpen == true {
                        observation = .unusable("unreachable")
                    } else if let replayed = await position(replica.database, Self.replicaPosition, replica: true) {
                        let now = ContinuousClock.now
                        if let lag = estimator.lag(replayed: replayed, now: now) {
                            observation = .lag(lag)
                        } else {
                            // Behind every position read so far: skipped; the lag gauge shows how far at least.
                            let atLeast = estimator.minimumLag(replayed: replayed, now: now)
                            if let atLeast { router.metrics.lag[index].record(Double(atLeast.milliseconds) / 1000) }
                            observation = .unusable("catching up (behind every primary position read so far)")
                        }
                    } else {
                        observation = .unusable("no replay position (unreachable, or not a replica)")
                    }
                    router.routing.withLock { $0.observe(replica: index, observation, at: .now) }
                    switch observation {
                    case .lag(let lag):
                        router.metrics.lag[index].record(Double(lag.milliseconds) / 1000)
                        router.metrics.usable[index].record(router.isUsable(index) ? 1 : 0)
                    case .unusable:
                        router.metrics.usable[index].record(0)
                    }
                    let summary: String? = switch observation {
                    case .lag(let lag): lag <= router.routing.withLock({ $0.configuration.maximumLag }) ? nil : "lagging"
                    case .unusable(let why): why
                    }
                    if summary != reported[index] {
                        if let summary {
                            replica.database.logger.warning("replica skipped: catalog reads go to the primary",
                                                            metadata: ["replica": "\(replica.name)", "reason": "\(summary)"])
                        } else {
                            replica.database.logger.info("replica in use", metadata: ["replica": "\(replica.name)"])
                        }
                        reported[index] = summary
                    }
                }
                try await Task.sleep(for: router.probeInterval)
            }
        }
    }

    /// The WAL position `query` reads on `database` (a replica must be in recovery), or `nil`.
    private func position(_ database: Database, _ query: PostgresQuery, replica: Bool) async -> UInt64? {
        let timeout = max(router.probeInterval * 4, .seconds(1))
        let logger = database.driverLogger
        do {
            return try await ConnectionGate.lease(from: database.client, timeout: timeout) { connection in
                try await DatabaseConnection.awaitingAtMost(timeout, on: connection, logger: database.logger) { () async throws -> UInt64? in
                    let rows = try await connection.query(query, logger: logger).collect()
                    guard let row = rows.first else { return nil }
                    if replica {
                        let (inRecovery, lsn) = try row.decode((Bool, String?).self)
                        return inRecovery ? lsn.flatMap(ReplicaLagEstimator.parseLSN) : nil
                    }
                    return ReplicaLagEstimator.parseLSN(try row.decode(String.self))
                }
            }
        } catch {
            return nil
        }
    }
}
