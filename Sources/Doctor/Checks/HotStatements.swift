/// The statements that dominated the window's database time: the ones worth planning and blaming.
enum HotStatements {
    /// Statements with at least the hot share of the window's time, while the database was busy enough to matter.
    static func select(_ evidence: Evidence, _ thresholds: Thresholds, limit: Int = 5) -> [(delta: StatementDelta, share: Double)] {
        let total = evidence.windowStatementTimeMs
        let busyBackends = total / 1000 / evidence.elapsedSeconds
        guard total > 0, busyBackends >= thresholds.hotBusyBackends else { return [] }
        return evidence.statementDeltas.prefix(limit).compactMap { delta in
            let share = delta.timeMs / total
            return share >= thresholds.hotStatementShare ? (delta, share) : nil
        }
    }

    /// `12 calls, mean 85 ms, 64% of the window's database time`.
    static func summary(_ delta: StatementDelta, share: Double) -> String {
        "\(Int(share * 100))% of the window's database time, \(Int(delta.calls)) calls, mean \(Seconds.text(delta.meanMs / 1000))"
    }
}
