import Foundation

/// The store's admission limiter is refusing requests with 503 `overloaded`.
enum AdmissionSheddingCheck {
    static func check(_ evidence: Evidence, _ thresholds: Thresholds) -> [Finding] {
        guard let store = StoreWindow(evidence) else { return [] }
        let shed = store.delta("surge_admission_rejected_total")
        guard shed >= 1, shed / store.seconds >= 1 else { return [] }
        let byClass = store.last.labelValues("surge_admission_rejected_total", "class").map { ($0, store.delta("surge_admission_rejected_total", ["class": $0])) }.filter { $0.1 > 0 }
        let limit = store.gauge("surge_admission_limit") ?? 0
        let inFlight = store.gauge("surge_admission_in_flight") ?? 0
        // How busy the database was: shedding over an idle database means the store is the bottleneck.
        let busyBackends = evidence.windowStatementTimeMs / 1000 / evidence.elapsedSeconds
        let activeSessions = evidence.activity.map { Double($0.sessions.filter(\.isActive).count) }
        let meanActive = activeSessions.isEmpty ? 0 : activeSessions.reduce(0, +) / Double(activeSessions.count)
        // Statement time says it best; without pg_stat_statements, the active sessions sampled.
        let databaseIdle = evidence.last.statements.isEmpty ? meanActive < 1 : busyBackends < 0.5
        return [Finding(
            cause: .admissionShedding,
            object: "the store's admission limiter (limit \(Int(limit)), \(Int(inFlight)) in flight)",
            keyEvidence: "\(Int(shed)) requests shed in \(Seconds.text(store.seconds)) (\(Int(shed / store.seconds))/s)",
            evidence: byClass.map { "  class \($0.0): \(Int($0.1)) shed" }
                + [String(format: "database: %.2f backends busy with statements on average, %.1f sessions active", busyBackends, meanActive)],
            fixes: databaseIdle
                ? ["the database is nearly idle: the store itself is the bottleneck (its CPU, event loops, a slow dependency); add store instances or CPU, do not raise the limit"]
                : ["the limiter protects the database from the excess: fix the database findings above, or add capacity; do not raise the limit first"],
            impact: 45,
            confidence: .high
        )]
    }
}
