/// Checkout is slow while the database answers fast: the time goes to the payment provider.
/// The store exports no payment series of its own; the difference between checkout's request
/// time and its database time is the evidence. "Fast" is relative to checkout: a statement or a
/// pool wait under a twentieth of checkout's mean (and at least 50 ms) cannot add up to it over the
/// handful of statements a checkout runs, while a database that made checkout slow would be slow
/// in every statement (a busy machine's 60 ms statements do not hide a 3 s provider).
enum SlowPaymentProviderCheck {
    static let route = ["route": "/v1/checkout"]

    static func check(_ evidence: Evidence, _ thresholds: Thresholds) -> [Finding] {
        guard let store = StoreWindow(evidence),
              let checkout = store.mean("surge_http_request_duration_seconds", route),
              store.delta("surge_http_request_duration_seconds_count", route) >= 3, checkout >= 1 else { return [] }
        let statement = store.mean("surge_db_query_duration_seconds") ?? 0
        let wait = store.mean("surge_db_pool_acquire_wait_seconds") ?? 0
        let fast = max(0.05, checkout / 20)
        guard statement < fast, wait < fast else { return [] }
        return [Finding(
            cause: .slowPaymentProvider,
            object: "the payment provider behind POST /v1/checkout",
            keyEvidence: "checkout mean \(Seconds.text(checkout)) while statements take \(Seconds.text(statement)) and pool waits \(Seconds.text(wait))",
            evidence: ["checkouts hold their admission slots while they wait on the provider: shedding, if any, is its symptom"],
            fixes: [
                "check the provider's status page; lower the store's payment timeout so checkouts fail fast and release stock holds",
                "keep browse and cart traffic away from checkout's slots (admission priorities) until it recovers",
            ],
            impact: 50,
            confidence: .medium
        )]
    }
}
