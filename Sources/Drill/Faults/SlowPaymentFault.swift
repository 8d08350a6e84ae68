/// The payment provider answers in 2.5 s instead of ~20 ms (the store's payment simulator, slowed).
struct SlowPaymentFault: Fault {
    static let latency: Duration = .milliseconds(2500)

    func inject(_ context: FaultContext) async throws -> String {
        context.payment.setExtraLatency(Self.latency)
        return "payment simulator: +2.5 s on every authorisation"
    }

    func remove(_ context: FaultContext) async throws -> String {
        context.payment.setExtraLatency(.zero)
        return "payment simulator back to its normal latency"
    }
}
