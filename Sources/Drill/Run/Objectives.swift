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
            checkoutLatency(objectives.checkoutP99Milliseconds, before: before, after: after),
        ]
    }
}

extension Objectives {
    /// Checkout p99 at most `target`; a surge in which no buyer reached checkout has no p99 to hold.
    static func checkoutLatency(_ target: Double, before: SurgeFigures, after: SurgeFigures?) -> DrillReport.Objective {
        func held(_ figures: SurgeFigures) -> Bool { figures.checkoutRequests > 0 && figures.checkoutP99Milliseconds <= target }
        return DrillReport.Objective(name: "checkout p99", target: String(format: "≤ %g ms", target), before: before.checkoutP99Milliseconds,
                                     after: after?.checkoutP99Milliseconds, unit: "ms", heldBefore: held(before),
                                     heldAfter: after.map(held) ?? false)
    }
}
