/// Statements that have been running for a long time (and are not just waiting for a lock).
enum LongRunningQueryCheck {
    static func check(_ evidence: Evidence, _ thresholds: Thresholds) -> [Finding] {
        evidence.latestActivity.sessions.filter { $0.database == evidence.facts.database }.compactMap { session -> Finding? in
            guard session.isActive, !session.isWaitingOnLock, let age = session.querySeconds, age >= thresholds.longQuerySeconds else { return nil }
            var fixes = ["SELECT pg_cancel_backend(\(session.pid));"]
            if let user = session.user { fixes.append("ALTER ROLE \(user) SET statement_timeout = '30s';  -- bound every statement of this role") }
            return Finding(
                cause: .longRunningQuery,
                object: "\(session.label) running \"\(Seconds.statement(session.query, limit: 70))\"",
                keyEvidence: "running \(Seconds.text(age))\(session.waitEvent.map { ", waiting on \(session.waitEventType ?? "")/\($0)" } ?? "")",
                evidence: ["query: \(Seconds.statement(session.query, limit: 300))"],
                fixes: fixes,
                impact: 45 + min(15, age / 60),
                confidence: .high,
                pids: [session.pid]
            )
        }
    }
}
