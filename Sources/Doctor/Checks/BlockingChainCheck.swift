/// A session at the root of a lock-wait tree: others wait for its locks, it waits for nobody.
enum BlockingChainCheck {
    static func check(_ evidence: Evidence, _ thresholds: Thresholds) -> [Finding] {
        guard !evidence.activity.isEmpty else { return [] }
        // Per root pid: in how many samples it blocked someone for long enough, and the last tree seen.
        var seen: [Int: Int] = [:]
        var lastTree: [Int: (sample: ActivitySample, waiters: [BackendActivity])] = [:]
        for sample in evidence.activity {
            var trees: [Int: [BackendActivity]] = [:]
            for session in sample.sessions where session.isWaitingOnLock && session.database == evidence.facts.database {
                guard let root = root(of: session.pid, in: sample) else { continue }
                trees[root, default: []].append(session)
            }
            for (root, waiters) in trees {
                let longest = waiters.compactMap(\.querySeconds).max() ?? 0
                guard longest >= thresholds.lockWaitSeconds else { continue }
                seen[root, default: 0] += 1
                lastTree[root] = (sample, waiters)
            }
        }
        return seen.compactMap { pid, count -> Finding? in
            let share = Double(count) / Double(evidence.activity.count)
            guard share >= 0.5, let (sample, waiters) = lastTree[pid], let root = sample.session(pid) else { return nil }
            let longest = waiters.compactMap(\.querySeconds).max() ?? 0
            let idle = root.isIdleInTransaction
            var fixes = [idle
                ? "SELECT pg_terminate_backend(\(pid));  -- idle in transaction: cancelling does nothing, ending the session releases its locks"
                : "SELECT pg_cancel_backend(\(pid));  -- then SELECT pg_terminate_backend(\(pid)); if it does not end"]
            if let user = root.user {
                fixes.append(idle
                    ? "ALTER ROLE \(user) SET idle_in_transaction_session_timeout = '10s';  -- so an abandoned transaction cannot hold locks again"
                    : "ALTER ROLE \(user) SET lock_timeout = '2s';  -- waiters fail fast instead of piling up")
            }
            let waiting = waiters.map { "  waiting: \($0.label): \(Seconds.statement($0.query))" }
            return Finding(
                cause: .blockingChain,
                object: "\(root.label) running \"\(Seconds.statement(root.query, limit: 70))\"",
                keyEvidence: "\(waiters.count) session\(waiters.count == 1 ? "" : "s") waiting on its locks, longest \(Seconds.text(longest)), in \(Int((share * 100).rounded()))% of samples",
                evidence: ["root of the lock-wait tree: \(root.label), transaction open \(root.transactionSeconds.map(Seconds.text) ?? "?")"] + waiting.prefix(10),
                fixes: fixes,
                impact: 90 + min(9, Double(waiters.count)),
                confidence: .persistence(share),
                pids: [pid]
            )
        }.sorted { $0.impact > $1.impact }
    }

    /// Follows `blockedBy` up to a session that waits for nobody (the first blocker at each step).
    static func root(of pid: Int, in sample: ActivitySample) -> Int? {
        var current = pid
        var visited: Set<Int> = [pid]
        while let session = sample.session(current), session.isWaitingOnLock, let next = session.blockedBy.first {
            // A deadlock cycle resolves itself (deadlock_timeout); its first member stands for it.
            guard visited.insert(next).inserted else { return next }
            current = next
        }
        return current == pid ? nil : current
    }
}
