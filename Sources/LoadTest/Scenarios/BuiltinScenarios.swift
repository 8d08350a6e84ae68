import Foundation

/// Scenario files for the store's API that work against a seeded store out of the box.
///
/// The store seeds products `1...products`, each with 1-4 variants, so variant ids are drawn from
/// `1...2×products` (every id exists with high probability). `rate` is the base arrival rate.
public enum BuiltinScenarios {
    public static let names = ["browse-heavy", "flash-sale", "checkout-rush", "ramp-to-break", "soak"]

    /// The YAML of a built-in scenario, or nil for an unknown name.
    /// - Parameter flashSale: the shape of `flash-sale` (the default is `surge load`'s).
    public static func yaml(named name: String, target: String, ratePerSecond: Double, products: Int,
                            flashSale: FlashSaleShape = .init()) -> String? {
        let rate = String(format: "%g", ratePerSecond)
        let scenarios: String
        var journeys = ["browse", "buy"]
        var run = "sequential"
        switch name {
        case "browse-heavy":
            scenarios = """
                  - name: browse-heavy
                    executor: constant-arrival-rate
                    rate: \(rate)/s
                    duration: 60s
                    poisson: true
                    journeys: [browse, search, buy]
                """
            journeys = ["browse", "search", "buy"]
        case "flash-sale":
            scenarios = flashSale.scenariosYAML(ratePerSecond: ratePerSecond)
            run = "parallel"
        case "checkout-rush":
            scenarios = """
                  - name: checkout-rush
                    executor: constant-arrival-rate
                    rate: \(rate)/s
                    duration: 60s
                    journeys: [buy]
                """
            journeys = ["buy"]
        case "ramp-to-break":
            scenarios = """
                  - name: ramp-to-break
                    executor: ramping-arrival-rate
                    start_rate: \(rate)/s
                    stages:
                      - {duration: 120s, target: \(String(format: "%g", ratePerSecond * 20))}
                    journeys: [browse, search, buy]
                """
            journeys = ["browse", "search", "buy"]
        case "soak":
            scenarios = """
                  - name: soak
                    executor: soak
                    rate: \(rate)/s
                    duration: 10m
                    journeys: [browse, search, buy]
                """
            journeys = ["browse", "search", "buy"]
        default:
            return nil
        }
        let allJourneys: [String: String] = [
            "browse": """
                  - name: browse
                    weight: 8
                    feed: [product_id]
                    steps:
                      - name: categories
                        url: /v1/categories
                      - name: list
                        url: /v1/products?limit=20
                        think: 100ms
                      - name: product
                        url: /v1/products/${product_id}
                        check: {status: 200}
                """,
            "search": """
                  - name: search
                    weight: 3
                    feed: [term]
                    steps:
                      - name: search
                        url: /v1/products?q=${term}&limit=20
                        check: {status: 200}
                """,
            "buy": """
                  - name: buy
                    weight: 1
                    feed: [product_id, variant_id]
                    steps:
                      - name: product
                        url: /v1/products/${product_id}
                      - name: create-cart
                        method: POST
                        url: /v1/carts
                        check: {status: 201, json: {"$.id": exists, "$.token": exists}}
                        extract: {cart_id: $.id, cart_token: $.token}
                      - name: add-item
                        method: POST
                        url: /v1/carts/${cart_id}/items
                        headers: {X-Cart-Token: "${cart_token}"}
                        body: {variant_id: "${variant_id}", quantity: 1}
                        check: {status: [200, 201]}
                      - name: checkout
                        method: POST
                        url: /v1/checkout
                        headers: {X-Cart-Token: "${cart_token}", Idempotency-Key: "${uuid}"}
                        body:
                          cart_id: "${cart_id}"
                          email: "load-${iteration}@example.com"
                          shipping_address: {name: Load Test, line1: 1 Test Street, city: Testville, postal_code: "12345", country: US}
                          payment_token: tok_ok
                        check: {status: [200, 201]}
                """,
        ]
        return """
            # Built-in scenario \(name) (surge load --scenario \(name)); see docs/load.md.
            version: 1
            target: \(target)
            run: \(run)
            defaults:
              max_in_flight: 2000
              timeout: 10s
            feeders:
              product_id: {range: [1, \(products)], pick: zipf, exponent: 1.1, seed: 7}
              variant_id: {range: [1, \(products * 2)], pick: uniform, seed: 11}
              term: {range: [0, 4], pick: uniform, seed: 3}
            journeys:
            \(journeys.compactMap { allJourneys[$0] }.joined(separator: "\n"))
            scenarios:
            \(scenarios)
            thresholds:
              - p99 < 500ms every 10s
              - errors < 1%
            """
    }
}

/// The flash sale's shape: the normal mix spiking to `multiplier` times its rate, and the sale
/// opening as bursts of buyers who all arrive within the same second.
public struct FlashSaleShape: Sendable, Codable, Equatable {
    public var multiplier = 10.0
    public var beforeSeconds = 20
    public var rampSeconds = 10
    public var holdSeconds = 30
    public var afterSeconds = 20
    /// Buyers per burst, in seconds of the base rate (10: ten seconds' worth of arrivals at once).
    public var burstSecondsOfRate = 10.0
    public var bursts = 3
    public var burstEverySeconds = 10
    /// The first burst, from the start (the default: when the hold begins).
    public var firstBurstSeconds = 30

    public init() {}

    /// Seconds from the first arrival to the last.
    public var totalSeconds: Int { beforeSeconds + rampSeconds + holdSeconds + afterSeconds }

    func scenariosYAML(ratePerSecond: Double) -> String {
        """
              - name: flash-sale
                executor: spike
                rate: \(String(format: "%g", ratePerSecond))/s
                multiplier: \(String(format: "%g", multiplier))
                before: \(beforeSeconds)s
                ramp: \(rampSeconds)s
                hold: \(holdSeconds)s
                after: \(afterSeconds)s
                poisson: true
                journeys: [browse, buy]
              # The sale opens: everyone who waited for it arrives in the same second, \(bursts) times.
              - name: sale-opens
                executor: burst
                size: \(max(1, Int((ratePerSecond * burstSecondsOfRate).rounded())))
                within: 1s
                every: \(burstEverySeconds)s
                bursts: \(bursts)
                after: 0s
                start_after: \(firstBurstSeconds)s
                journeys: [buy]
            """
    }
}
