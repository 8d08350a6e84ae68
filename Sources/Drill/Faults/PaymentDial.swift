import Foundation
import Storefront
import Synchronization

/// The store's payment simulator with a dial a drill turns: extra latency on every authorisation.
final class PaymentDial: PaymentGateway {
    private let simulator: SimulatedGateway
    private let extra = Mutex<Duration>(.zero)

    init(_ simulator: SimulatedGateway = SimulatedGateway()) {
        self.simulator = simulator
    }

    /// Sets the extra latency (zero: the simulator as configured).
    func setExtraLatency(_ latency: Duration) {
        extra.withLock { $0 = latency }
    }

    func authorize(amount: Money, token: String, reference: UUID) async throws -> PaymentAuthorization {
        let delay = extra.withLock { $0 }
        if delay > .zero { try await Task.sleep(for: delay) }
        return try await simulator.authorize(amount: amount, token: token, reference: reference)
    }
}
