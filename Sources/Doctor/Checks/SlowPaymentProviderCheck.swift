/// Checkout is slow while the database answers fast: the time goes to the payment provider.
/// The store exports no payment series of its own; the difference between checkout's request
/// time and its database time is the evidence.
enum SlowPaymentProviderCheck {
    static let route = ["route": "/v1/checkout"]

    static func check(_ evidence: Evidence, _ thresholds: Thresholds) -> [Finding] {
        guard let store = StoreWindow(evidence),
              let checkout = store.mean("surge_http_request_duration_seconds", route),
              store.delta("surge_http_request_duration_seconds_count", route) >= 3, checkout >= 1 else { return [] }
        let statement = store.mean("surge_db_query_duration_seconds") ?? 0
        let wait = store.mean("surge_db_pool_acquire_wait_seconds") ?? 0
        guard statement < 0.05, wait < 0.05 else { return [] }
        return [Finding(
            cause: .slowPaymentProvider,
            object: "the payment provider behind POST /v1/checkout",
            keyEvidence: "checkout mean \(Seconds.text(checkout)) while statements take \(Seconds.text(statement)) and pool waits \(Seconds.text(wait))",
            fixes: [
                "check the provider's status page; lower the store's payment timeout so checkouts fail fast and release stock holds",
                "keep browse and cart traffic away from checkout's slots (admission priorities) until it recovers",
            ],
            impact: 50,
            confidence: .medium
        )]
    }
}
