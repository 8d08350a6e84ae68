import Database
import Logging
import ServiceLifecycle

/// Returns the stock of expired checkout holds, every `interval`, until graceful shutdown; with
/// `leadership`, only while this instance leads (once per cluster, not once per instance).
public struct HoldSweeper: Service {
    let checkout: CheckoutService
    let interval: Duration
    let leadership: Leadership?
    let logger: Logger

    public init(checkout: CheckoutService, interval: Duration, leadership: Leadership? = nil, logger: Logger) {
        self.checkout = checkout
        self.interval = interval
        self.leadership = leadership
        self.logger = logger
    }

    public func run() async throws {
        // Sleeping is cancelled at graceful shutdown, so the sweeper never delays it.
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: interval)
                guard leadership?.isLeader ?? true else { continue }
                do {
                    let expired = try await checkout.expireHolds()
                    if expired > 0 { logger.info("expired checkout holds", metadata: ["count": "\(expired)"]) }
                } catch {
                    logger.warning("hold sweep failed", metadata: ["error": "\(String(reflecting: error))"])
                }
            }
        }
    }
}
