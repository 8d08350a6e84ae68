import Testing
@testable import Telemetry

/// The ticket-level burn windows (1d/2h at 3×, 3d/6h at 1×), driven over days of simulated time:
/// the evaluator takes the time as an argument, so the test is the clock.
@Suite struct TicketBurnAlertTests {
    static let minute = 60
    static let hour = 3600
    static let day = 86_400

    /// `perMinute` browse requests each simulated minute from `start` to `end` (seconds), `badShare` of them 5xx.
    private func traffic(_ windows: inout RequestWindows, from start: Int, to end: Int, perMinute: Int = 20, badShare: Double) {
        var owed = 0.0
        for second in stride(from: start, to: end, by: Self.minute) {
            owed += Double(perMinute) * badShare
            let bad = Int(owed)
            owed -= Double(bad)
            for index in 0..<perMinute {
                windows.record(routeClass: "browse", isError: index < bad, isSlow: false, duration: .milliseconds(20), at: .seconds(second))
            }
        }
    }

    private var browseAvailabilityRules: [AlertRule] {
        AlertRule.defaults().filter {
            guard case .burnRate(let objective, _) = $0.condition else { return false }
            return objective.routeClass == "browse" && objective.indicator == .availability
        }
    }

    private func names(_ transitions: [AlertTransition]) -> [String] {
        transitions.compactMap { if case .firing(let alert) = $0 { alert.name } else { nil } }
    }

    @Test func steadyLeakAtFourTimesBudgetOpensATicketButPagesNobody() {
        // 0.4% errors for a day: 4× the 0.1% budget, under the page factors (14.4×, 6×), over 3× on 1d and 2h.
        var windows = RequestWindows()
        traffic(&windows, from: 0, to: Self.day + 20 * Self.minute, badShare: 0.004)
        var evaluator = AlertEvaluator(rules: browseAvailabilityRules)
        #expect(evaluator.rules.map(\.name).sorted() == ["SurgeAvailabilityBudgetBurn", "SurgeAvailabilityBudgetBurnSlow"])
        let inputs = AlertInputs(requests: windows, gauges: [:])
        #expect(evaluator.evaluate(inputs, at: .seconds(Self.day)).isEmpty, "pending for 15 minutes first")
        let fired = evaluator.evaluate(inputs, at: .seconds(Self.day + 15 * Self.minute))
        #expect(names(fired) == ["SurgeAvailabilityBudgetBurnSlow"])
        let alert = evaluator.active.first
        #expect(alert?.severity == "ticket")
        #expect(alert.map { $0.value > 3 && $0.value < 6 } == true, "burn rate ≈ 4, got \(String(describing: alert?.value))")
    }

    @Test func budgetOnPaceToRunOutFiresOnlyTheThreeDayPair() throws {
        // 0.15% errors for three days: 1.5× budget, under 3× (1d/2h) but over 1× on both 3d and 6h.
        var windows = RequestWindows()
        traffic(&windows, from: 0, to: 3 * Self.day, badShare: 0.0015)
        let inputs = AlertInputs(requests: windows, gauges: [:])
        var oneDayOnly = AlertEvaluator(rules: browseAvailabilityRules.map { rule in
            var rule = rule
            if case .burnRate(let objective, _) = rule.condition { rule.condition = .burnRate(objective, windows: [BurnWindow.ticket[0]]) }
            return rule
        })
        _ = oneDayOnly.evaluate(inputs, at: .seconds(3 * Self.day - Self.hour))
        #expect(oneDayOnly.evaluate(inputs, at: .seconds(3 * Self.day - Self.minute)).isEmpty, "1.5× stays under the 1d/2h factor of 3")
        var evaluator = AlertEvaluator(rules: browseAvailabilityRules)
        _ = evaluator.evaluate(inputs, at: .seconds(3 * Self.day - Self.hour))
        let fired = evaluator.evaluate(inputs, at: .seconds(3 * Self.day - Self.minute))
        #expect(names(fired) == ["SurgeAvailabilityBudgetBurnSlow"])
        let value = try #require(evaluator.active.first?.value)
        #expect(value > 1.2 && value < 1.8, "burn rate ≈ 1.5, got \(value)")
    }

    @Test func onBudgetTrafficNeverOpensATicket() {
        var windows = RequestWindows()
        traffic(&windows, from: 0, to: 3 * Self.day, badShare: 0.0005)
        var evaluator = AlertEvaluator(rules: AlertRule.defaults().filter { $0.severity == "ticket" && $0.name.hasSuffix("BurnSlow") })
        #expect(evaluator.rules.count == 4)
        for hour in stride(from: Self.hour, through: 3 * Self.day, by: Self.hour) {
            #expect(evaluator.evaluate(AlertInputs(requests: windows, gauges: [:]), at: .seconds(hour)).isEmpty)
        }
        #expect(evaluator.active.isEmpty)
    }

    @Test func resolvesOnceBothShortWindowsAreClean() {
        var windows = RequestWindows()
        traffic(&windows, from: 0, to: Self.day, badShare: 0.004)
        traffic(&windows, from: Self.day, to: Self.day + 7 * Self.hour, badShare: 0)
        var evaluator = AlertEvaluator(rules: browseAvailabilityRules)
        let inputs = AlertInputs(requests: windows, gauges: [:])
        _ = evaluator.evaluate(inputs, at: .seconds(Self.day - 20 * Self.minute))
        #expect(names(evaluator.evaluate(inputs, at: .seconds(Self.day))) == ["SurgeAvailabilityBudgetBurnSlow"])
        // Three clean hours: the 2h window is clean, but the 6h one still holds the leak (3d/6h burns).
        #expect(evaluator.evaluate(inputs, at: .seconds(Self.day + 3 * Self.hour)).isEmpty)
        #expect(evaluator.active.count == 1)
        // Seven clean hours: both short windows are clean, so the ticket resolves.
        let resolved = evaluator.evaluate(inputs, at: .seconds(Self.day + 7 * Self.hour - Self.minute))
        #expect(resolved.count == 1)
        if case .resolved = resolved.first {} else { Issue.record("expected resolved, got \(resolved)") }
        #expect(evaluator.active.isEmpty)
    }

    @Test func longWindowsForgetTrafficOlderThanThreeDays() {
        // Five days of one request a minute: the 3-day window holds three days of it, not five,
        // because the 5-minute buckets are reused (fixed memory however long the process runs).
        var windows = RequestWindows()
        traffic(&windows, from: 0, to: 5 * Self.day, perMinute: 1, badShare: 0)
        let counts = windows.counts(routeClass: "browse", window: .seconds(3 * Self.day), at: .seconds(5 * Self.day - Self.minute))
        #expect(abs(counts.total - 3 * 1440) <= 5, "got \(counts.total)")
        let day = windows.counts(routeClass: "browse", window: .seconds(Self.day), at: .seconds(5 * Self.day - Self.minute))
        #expect(abs(day.total - 1440) <= 5, "got \(day.total)")
        let recent = windows.counts(routeClass: "browse", window: .seconds(Self.hour), at: .seconds(5 * Self.day - Self.minute))
        #expect(abs(recent.total - 60) <= 1, "got \(recent.total)")
    }
}
