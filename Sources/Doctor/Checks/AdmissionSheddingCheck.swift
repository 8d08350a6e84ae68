/// The store's admission limiter is refusing requests with 503 `overloaded`.
enum AdmissionSheddingCheck {
    static func check(_ evidence: Evidence, _ thresholds: Thresholds) -> [Finding] {
        guard let store = StoreWindow(evidence) else { return [] }
        let shed = store.delta("surge_admission_rejected_total")
        guard shed >= 1, shed / store.seconds >= 1 else { return [] }
        let byClass = store.last.labelValues("surge_admission_rejected_total", "class").map { ($0, store.delta("surge_admission_rejected_total", ["class": $0])) }.filter { $0.1 > 0 }
        let limit = store.gauge("surge_admission_limit") ?? 0
        let inFlight = store.gauge("surge_admission_in_flight") ?? 0
        return [Finding(
            cause: .admissionShedding,
            object: "the store's admission limiter (limit \(Int(limit)), \(Int(inFlight)) in flight)",
            keyEvidence: "\(Int(shed)) requests shed in \(Seconds.text(store.seconds)) (\(Int(shed / store.seconds))/s)",
            evidence: byClass.map { "  class \($0.0): \(Int($0.1)) shed" },
            fixes: ["the limiter protects the database from the excess: find why requests are slow (findings above) or add capacity; do not raise the limit first"],
            impact: 45,
            confidence: .high
        )]
    }
}
