import Foundation
import LoadTest
import Testing

@Suite struct ScenarioParserTests {
    static let valid = """
        version: 1
        target: http://127.0.0.1:8080
        run: sequential
        defaults:
          max_in_flight: 500
        feeders:
          product_id: {range: [1, 100], pick: zipf, exponent: 1.1, seed: 7}
        journeys:
          - name: buy
            weight: 2
            feed: [product_id]
            steps:
              - name: cart
                method: POST
                url: /v1/carts
                check: {status: 201, json: {"$.id": exists}}
                extract: {cart_id: $.id, token: $.token}
              - name: add
                method: POST
                url: /v1/carts/${cart_id}/items
                headers: {X-Cart-Token: "${token}"}
                body: {variant_id: "${product_id}", quantity: 1, note: "p-${product_id}"}
                think: 50ms
          - name: look
            steps:
              - url: /v1/products/${iteration}
        scenarios:
          - name: warm
            executor: constant-arrival-rate
            rate: 50/s
            duration: 10s
          - name: ramp
            executor: ramping-arrival-rate
            start_rate: 10
            stages: [{duration: 20s, target: 100}]
            poisson: true
            journeys: [buy]
          - name: users
            executor: constant-concurrency
            users: 5
            duration: 5s
        thresholds:
          - p99 < 300ms every 10s
          - errors < 1%
          - step:buy/add goodput >= 5/s
        """

    @Test func validFileBuildsSequentialPhases() throws {
        let plan = try ScenarioParser(file: "shop.yaml").parse(Self.valid)
        #expect(plan.phases.map(\.name) == ["warm", "ramp", "users"])
        #expect(plan.phases.map(\.startOffsetNanos) == [0, 10_000_000_000, 30_000_000_000])
        #expect(plan.phases[1].journeys.map(\.name) == ["buy"])
        #expect(plan.phases[0].maxInFlight == 500)
        #expect(plan.thresholds.count == 3)
        #expect(plan.durationNanos == 35_000_000_000)
        let add = plan.phases[0].journeys[0].steps[1]
        #expect(add.thinkNanos == 50_000_000)
        #expect(add.variableNames.sorted() == ["cart_id", "product_id", "product_id", "token"])
    }

    @Test func parallelRunStartsEveryScenarioAtOnce() throws {
        let yaml = Self.valid.replacingOccurrences(of: "run: sequential", with: "run: parallel")
        let plan = try ScenarioParser(file: "shop.yaml").parse(yaml)
        #expect(plan.phases.map(\.startOffsetNanos) == [0, 0, 0])
    }

    /// (replace this, with this, expected line, expected field, words in the message)
    static let badInputs: [(String, String, Int, String, String)] = [
        ("rate: 50/s", "rate: fast", 30, "scenarios[0].rate", "expected a rate"),
        ("executor: constant-concurrency", "executor: closed", 39, "scenarios[2].executor", "unknown executor `closed`"),
        ("duration: 10s", "duration: 10 parsecs", 31, "scenarios[0].duration", "expected a duration"),
        ("weight: 2", "wieght: 2", 10, "journeys[0].wieght", "unknown field"),
        ("feed: [product_id]", "feed: [sku]", 11, "journeys[0].feed[0]", "no feeder named `sku`"),
        ("url: /v1/carts/${cart_id}/items", "url: /v1/carts/${cart}/items", 18, "journeys[0].steps[1]", "uses ${cart}"),
        ("pick: zipf", "pick: often", 7, "feeders.product_id.pick", "expected sequential, uniform or zipf"),
        ("journeys: [buy]", "journeys: [sell]", 37, "scenarios[1].journeys[0]", "no journey named `sell`"),
        ("- errors < 1%", "- errors < lots", 44, "thresholds[1]", "must be a percentage"),
        ("users: 5", "users: 0", 40, "scenarios[2].users", "whole number in 1...100000"),
        ("check: {status: 201,", "check: {status: 999,", 16, "journeys[0].steps[0].check.status", "100...599"),
        ("extract: {cart_id: $.id,", "extract: {cart_id: id,", 17, "journeys[0].steps[0].extract.cart_id", "must start with `$`"),
        ("stages: [{duration: 20s, target: 100}]", "stages: [{duration: 20s}]", 35, "scenarios[1].stages[0]", "needs duration and target"),
        ("rate: 50/s", "rate: 50/s\n    users: 3", 31, "scenarios[0].users", "not used by executor constant-arrival-rate"),
        ("target: http://127.0.0.1:8080", "target: ftp://example", 2, "target", "not an http:// or https://host:port URL"),
        ("  - name: look\n", "  - name: look\n   bad: [", 0, "", "not valid YAML"),
    ]

    @Test(arguments: badInputs)
    func badFilesNameTheLineAndField(_ input: (String, String, Int, String, String)) {
        let (find, replace, line, field, words) = input
        #expect(Self.valid.contains(find))
        let yaml = Self.valid.replacingOccurrences(of: find, with: replace)
        do {
            _ = try ScenarioParser(file: "shop.yaml").parse(yaml)
            Issue.record("expected an error for \(replace)")
        } catch {
            if line > 0 { #expect(error.line == line, "\(error)") } else { #expect(error.line > 0, "\(error)") }
            #expect(error.field == field, "\(error)")
            #expect(error.message.contains(words), "\(error)")
            #expect(error.description.hasPrefix("shop.yaml:"))
        }
    }

    @Test func builtInScenariosParse() throws {
        for name in BuiltinScenarios.names {
            let yaml = try #require(BuiltinScenarios.yaml(named: name, target: "http://127.0.0.1:8080", ratePerSecond: 20, products: 50))
            let plan = try ScenarioParser(file: name).parse(yaml)
            #expect(plan.phases.count == (name == "flash-sale" ? 2 : 1), "\(name)")
            #expect(plan.thresholds.count == 2)
        }
    }

    @Test func flashSaleReachesTenTimesTheBaseRateWithinTenSeconds() throws {
        let yaml = try #require(BuiltinScenarios.yaml(named: "flash-sale", target: "http://127.0.0.1:8080", ratePerSecond: 20, products: 50))
        let plan = try ScenarioParser(file: "flash-sale").parse(yaml)
        guard case .arrivals(_, let profile, _) = plan.phases[0].executor else {
            Issue.record("flash-sale is not an arrival-rate executor")
            return
        }
        #expect(profile.rate(atNanos: 19_000_000_000) == 20)
        #expect(profile.rate(atNanos: 30_000_000_000) == 200)
        #expect(profile.peakRate == 200)
        // On top, the sale opens with bursts of buyers: 200 within one second, three times.
        guard case .arrivals(let kind, let bursts, _) = plan.phases[1].executor else {
            Issue.record("sale-opens is not an arrival-rate executor")
            return
        }
        #expect(kind == "burst")
        #expect(plan.phases[1].startOffsetNanos == 30_000_000_000, "during the spike's hold, not after it")
        #expect(plan.phases[1].journeys.map(\.name) == ["buy"])
        #expect(bursts.expectedArrivals.rounded() == 600)
        #expect(bursts.rate(atNanos: 500_000_000) == 200)
        #expect(bursts.rate(atNanos: 1_500_000_000) == 0)
    }

    @Test func burstExecutorRejectsOverlappingBursts() {
        let yaml = Self.valid.replacingOccurrences(of: "executor: constant-arrival-rate\n    rate: 50/s\n    duration: 10s",
                                                   with: "executor: burst\n    size: 100\n    within: 2s\n    every: 1s\n    bursts: 2")
        #expect(yaml != Self.valid)
        #expect(throws: ScenarioError.self) { _ = try ScenarioParser(file: "shop.yaml").parse(yaml) }
    }
}
