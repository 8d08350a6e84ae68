/// Sessions of this database left idle inside a transaction: they hold their locks and the xmin horizon.
/// (Session checks look at the examined database; connections and CPU are counted server-wide.)
enum IdleInTransactionCheck {
    static func check(_ evidence: Evidence, _ thresholds: Thresholds) -> [Finding] {
        evidence.latestActivity.sessions.filter { $0.database == evidence.facts.database }.compactMap { session -> Finding? in
            guard session.isIdleInTransaction, let idle = session.stateSeconds, idle >= thresholds.idleInTransactionSeconds else { return nil }
            var holds: [String] = []
            if session.wrote { holds.append("holds the row locks of its writes and, with its xid, the xmin horizon") }
            if let xmin = session.xminAge, xmin > 0 { holds.append("holds the xmin horizon \(xmin) transactions back") }
            let what = holds.isEmpty ? "holds its snapshot and locks" : holds.joined(separator: ", ")
            var fixes = ["SELECT pg_terminate_backend(\(session.pid));  -- ends the transaction (rolled back) and releases what it holds"]
            if let user = session.user {
                fixes.append("ALTER ROLE \(user) SET idle_in_transaction_session_timeout = '10s';")
            }
            fixes.append("find the code path that opens a transaction and waits (an HTTP call, a missing COMMIT) in \(session.application.isEmpty ? "the client" : "\"\(session.application)\"")")
            return Finding(
                cause: .idleInTransaction,
                object: session.label,
                keyEvidence: "idle \(Seconds.text(idle)) in a transaction open \(session.transactionSeconds.map(Seconds.text) ?? "?"), \(what)",
                evidence: ["last statement: \(Seconds.statement(session.query))"],
                fixes: fixes,
                impact: holds.isEmpty ? 40 : 60,
                confidence: idle >= evidence.windowSeconds ? .high : .medium,
                pids: [session.pid]
            )
        }
    }
}
