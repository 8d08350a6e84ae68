/// Client connections near max_connections, and who holds them.
enum ConnectionExhaustionCheck {
    static func check(_ evidence: Evidence, _ thresholds: Thresholds) -> [Finding] {
        guard let peak = evidence.activity.max(by: { $0.sessions.count < $1.sessions.count }) else { return [] }
        let usable = evidence.facts.usableConnections
        let limit = Double(usable) * thresholds.connectionsShare
        guard Double(peak.sessions.count) >= limit else { return [] }
        let share = Double(evidence.activity.filter { Double($0.sessions.count) >= limit }.count) / Double(evidence.activity.count)
        let holders = ConnectionHolders.group(peak.sessions)
        guard let top = holders.first else { return [] }
        var fixes: [String] = []
        if top.idle > 0 {
            fixes.append("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE \(top.predicate) AND state = 'idle' AND state_change < now() - interval '1 minute';  -- frees its \(top.idle) idle connections")
        }
        if let user = top.user {
            fixes.append("ALTER ROLE \(user) CONNECTION LIMIT \(max(1, usable / 2));  -- one client cannot take every slot again")
        }
        fixes.append("size the pools: the sum over all instances of (pool size) must stay under max_connections \(evidence.facts.maxConnections); or put PgBouncer in front")
        return [Finding(
            cause: .connectionExhaustion,
            object: top.name,
            keyEvidence: "\(peak.sessions.count) of \(usable) usable connections in use at peak; it holds \(top.total) (\(top.active) active, \(top.idle) idle, \(top.idleInTransaction) idle in transaction)",
            evidence: holders.prefix(5).map { "  \($0.name): \($0.total) (\($0.active) active, \($0.idle) idle, \($0.idleInTransaction) idle in transaction)" },
            fixes: fixes,
            impact: 80,
            confidence: .persistence(share)
        )]
    }
}

/// Connections grouped by who holds them: application, role and client.
struct ConnectionHolders: Equatable {
    var application: String
    var user: String?
    var client: String
    var total = 0
    var active = 0
    var idle = 0
    var idleInTransaction = 0

    var name: String {
        "app \"\(application)\" as \(user ?? "?") from \(client)"
    }

    /// A `WHERE` condition that selects this holder's sessions.
    var predicate: String {
        var parts = ["application_name = '\(application.replacingOccurrences(of: "'", with: "''"))'"]
        if let user { parts.append("usename = '\(user.replacingOccurrences(of: "'", with: "''"))'") }
        return parts.joined(separator: " AND ")
    }

    /// Holders, the most connections first.
    static func group(_ sessions: [BackendActivity]) -> [ConnectionHolders] {
        var groups: [String: ConnectionHolders] = [:]
        for session in sessions {
            let key = "\(session.application)\u{0}\(session.user ?? "")\u{0}\(session.client)"
            var holder = groups[key] ?? ConnectionHolders(application: session.application, user: session.user, client: session.client)
            holder.total += 1
            if session.isActive { holder.active += 1 }
            if session.state == "idle" { holder.idle += 1 }
            if session.isIdleInTransaction { holder.idleInTransaction += 1 }
            groups[key] = holder
        }
        return groups.values.sorted { ($0.total, $0.name) > ($1.total, $1.name) }
    }
}
