/// The service levels, checked on each surge.
enum Objectives {
    static func check(_ objectives: ServiceObjectives, before: SurgeFigures, after: SurgeFigures?) -> [DrillReport.Objective] {
        func atLeast(_ name: String, _ target: Double, _ value: (SurgeFigures) -> Double) -> DrillReport.Objective {
            DrillReport.Objective(name: name, target: String(format: "≥ %g%%", target), before: value(before), after: after.map(value),
                                  unit: "%", heldBefore: value(before) >= target, heldAfter: after.map { value($0) >= target } ?? false)
        }
        func atMost(_ name: String, _ target: Double, _ value: (SurgeFigures) -> Double) -> DrillReport.Objective {
            DrillReport.Objective(name: name, target: String(format: "≤ %g ms", target), before: value(before), after: after.map(value),
                                  unit: "ms", heldBefore: value(before) <= target, heldAfter: after.map { value($0) <= target } ?? false)
        }
        return [
            atLeast("checkout completion", objectives.checkoutCompletionPercent) { $0.checkoutCompletionPercent },
            atLeast("add-to-cart completion", objectives.addToCartCompletionPercent) { $0.addToCartCompletionPercent },
            atMost("checkout p99", objectives.checkoutP99Milliseconds) { $0.checkoutP99Milliseconds },
        ]
    }
}
