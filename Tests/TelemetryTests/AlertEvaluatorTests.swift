import Testing
@testable import Telemetry

@Suite struct AlertEvaluatorTests {
    let browseAvailability = ServiceLevelObjective(routeClass: "browse", indicator: .availability, objective: 0.999)
    let checkoutLatency = ServiceLevelObjective(routeClass: "checkout", indicator: .latency(threshold: .seconds(1)), objective: 0.99)

    /// Feeds `perTenSeconds` requests every 10 s from `start` to `end`, `badShare` of them bad.
    private func traffic(
        _ windows: inout RequestWindows, routeClass: String, from start: Int, to end: Int, perTenSeconds: Int = 100, badShare: Double,
        latency: Bool = false
    ) {
        for second in stride(from: start, to: end, by: 10) {
            let bad = Int((Double(perTenSeconds) * badShare).rounded())
            for index in 0..<perTenSeconds {
                let isBad = index < bad
                windows.record(
                    routeClass: routeClass, isError: isBad && !latency, isSlow: isBad && latency,
                    duration: .milliseconds(isBad && latency ? 2000 : 20), at: .seconds(second))
            }
        }
    }

    private func rule(_ objective: ServiceLevelObjective) -> AlertRule {
        AlertRule(name: "Burn", severity: "page", condition: .burnRate(objective, windows: BurnWindow.page), holdFor: .seconds(120), summary: "", runbook: "x")
    }

    @Test func fastBurnFiresAfterItsHoldTime() throws {
        var windows = RequestWindows()
        traffic(&windows, routeClass: "browse", from: 0, to: 3600, badShare: 0.0005)  // an hour on budget
        traffic(&windows, routeClass: "browse", from: 3600, to: 4200, badShare: 0.2)  // then 20% errors: 200× budget
        var evaluator = AlertEvaluator(rules: [rule(browseAvailability)])
        #expect(evaluator.evaluate(AlertInputs(requests: windows, gauges: [:]), at: .seconds(3900)).isEmpty)  // pending
        let transitions = evaluator.evaluate(AlertInputs(requests: windows, gauges: [:]), at: .seconds(4100))
        guard case .firing(let alert) = try #require(transitions.first) else {
            Issue.record("expected the alert to fire, got \(transitions)")
            return
        }
        #expect(alert.routeClass == "browse")
        #expect(alert.value > 14.4)
        #expect(evaluator.active.count == 1)
    }

    @Test func normalTrafficStaysSilent() {
        var windows = RequestWindows()
        traffic(&windows, routeClass: "browse", from: 0, to: 6 * 3600, perTenSeconds: 20, badShare: 0.0005)
        var evaluator = AlertEvaluator(rules: [rule(browseAvailability)])
        for minute in stride(from: 60, through: 6 * 3600, by: 60) {
            #expect(evaluator.evaluate(AlertInputs(requests: windows, gauges: [:]), at: .seconds(minute)).isEmpty)
        }
        #expect(evaluator.active.isEmpty)
    }

    @Test func aShortSpikeDoesNotPageButASustainedOneDoes() {
        // 20 seconds of total failure after a calm hour: the 5m window burns, the 1h window stays under 14.4×.
        var windows = RequestWindows()
        traffic(&windows, routeClass: "browse", from: 0, to: 3600, badShare: 0)
        traffic(&windows, routeClass: "browse", from: 3600, to: 3620, badShare: 1)
        var evaluator = AlertEvaluator(rules: [rule(browseAvailability)])
        #expect(evaluator.evaluate(AlertInputs(requests: windows, gauges: [:]), at: .seconds(3620)).isEmpty)
        #expect(evaluator.evaluate(AlertInputs(requests: windows, gauges: [:]), at: .seconds(3900)).isEmpty)
        #expect(evaluator.active.isEmpty)
    }

    @Test func latencyBurnUsesSlowRequests() throws {
        var windows = RequestWindows()
        traffic(&windows, routeClass: "checkout", from: 0, to: 3600, badShare: 0.5, latency: true)
        var evaluator = AlertEvaluator(rules: [rule(checkoutLatency), rule(browseAvailability)])
        _ = evaluator.evaluate(AlertInputs(requests: windows, gauges: [:]), at: .seconds(3400))
        let transitions = evaluator.evaluate(AlertInputs(requests: windows, gauges: [:]), at: .seconds(3590))
        #expect(transitions.count == 1)
        #expect(evaluator.active.map(\.routeClass) == ["checkout"])
    }

    @Test func resolvesWhenTheBurnStops() throws {
        var windows = RequestWindows()
        traffic(&windows, routeClass: "browse", from: 0, to: 600, badShare: 0.5)
        var evaluator = AlertEvaluator(rules: [rule(browseAvailability)])
        _ = evaluator.evaluate(AlertInputs(requests: windows, gauges: [:]), at: .seconds(400))
        _ = evaluator.evaluate(AlertInputs(requests: windows, gauges: [:]), at: .seconds(590))
        #expect(evaluator.active.count == 1)
        // Clean traffic until the 30-minute window no longer holds any of the failures.
        traffic(&windows, routeClass: "browse", from: 600, to: 2600, badShare: 0)
        #expect(evaluator.evaluate(AlertInputs(requests: windows, gauges: [:]), at: .seconds(1190)).isEmpty)  // 30m still burning
        let transitions = evaluator.evaluate(AlertInputs(requests: windows, gauges: [:]), at: .seconds(2590))
        #expect(transitions.count == 1)
        if case .resolved = transitions.first {} else { Issue.record("expected resolved, got \(transitions)") }
        #expect(evaluator.active.isEmpty)
    }

    @Test(arguments: AlertRule.defaults().compactMap { rule -> (String, AlertRule.Gauge, Double)? in
        if case .above(let gauge, let threshold) = rule.condition { return (rule.name, gauge, threshold) }
        return nil
    })
    func saturationAlertFiresOnlyAboveThresholdAndAfterHold(name: String, gauge: AlertRule.Gauge, threshold: Double) {
        let rules = AlertRule.defaults().filter { $0.name == name }
        let hold = rules[0].holdFor
        var evaluator = AlertEvaluator(rules: rules)
        let empty = RequestWindows()
        #expect(evaluator.evaluate(AlertInputs(requests: empty, gauges: [gauge: threshold]), at: .seconds(0)).isEmpty)
        #expect(evaluator.evaluate(AlertInputs(requests: empty, gauges: [gauge: threshold + 1]), at: .seconds(10)).isEmpty)
        #expect(evaluator.evaluate(AlertInputs(requests: empty, gauges: [gauge: threshold + 1]), at: .seconds(10) + hold - .seconds(1)).isEmpty)
        let fired = evaluator.evaluate(AlertInputs(requests: empty, gauges: [gauge: threshold + 1]), at: .seconds(10) + hold)
        #expect(fired.count == 1)
        #expect(evaluator.active.first?.runbookURL.hasPrefix("docs/PLAYBOOK.md#") == true)
    }

    @Test func everyRuleHasARunbookInThePlaybook() throws {
        let playbook = try String(contentsOfFile: Tool.repositoryRoot + "/docs/PLAYBOOK.md", encoding: .utf8)
        for rule in AlertRule.defaults() {
            #expect(playbook.contains("<a id=\"\(rule.runbook)\"></a>"), "no runbook anchor for \(rule.name)")
        }
    }
}

@Suite struct RouteClassifierTests {
    @Test(arguments: [
        ("/v1/products/{id}", "browse"), ("/v1/search", "browse"), ("/v1/categories/{slug}", "browse"),
        ("/v1/carts/{id}/items", "cart"), ("/v1/checkout", "checkout"), ("/v1/orders/{id}", "cart"), ("/openapi.json", "system"),
        ("/metrics", "system"), ("/admin/queries", "system"), ("/dashboard/events", "system"), ("/health/ready", "system"),
    ])
    func defaultClassesFollowTheRouteWords(route: String, expected: String) {
        #expect(RouteClassifier.classify(route) == expected)
    }
}
