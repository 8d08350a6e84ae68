import Foundation

/// Authorises card payments. Called with no database transaction or row lock open.
public protocol PaymentGateway: Sendable {
    /// Authorises `amount` against the payment `token`; throws `PaymentError`.
    func authorize(amount: Money, token: String, reference: UUID) async throws -> PaymentAuthorization
}

/// A successful authorisation.
public struct PaymentAuthorization: Sendable, Equatable {
    public var reference: String
}

/// Why a payment did not go through.
public enum PaymentError: Error, Sendable, Equatable {
    /// The issuer said no: final, retrying the same card will not help.
    case declined(String)
    /// No answer in time: the outcome is unknown, the hold is released and the client may retry.
    case timeout
}

/// A gateway with configurable latency, decline rate and timeout rate, for development, tests and drills.
///
/// Tokens `tok_decline` and `tok_timeout` always decline or time out; other tokens decline or time out
/// at the configured rates.
public struct SimulatedGateway: PaymentGateway {
    public struct Configuration: Sendable {
        /// Median latency of an authorisation; the distribution is log-normal around it.
        public var medianLatency: Duration
        /// Log-normal shape: 0 gives a fixed latency.
        public var latencySigma: Double
        public var declineRate: Double
        public var timeoutRate: Double
        /// How long the store waits before calling it a timeout.
        public var timeout: Duration

        public init(medianLatency: Duration = .milliseconds(20), latencySigma: Double = 0.5,
                    declineRate: Double = 0, timeoutRate: Double = 0, timeout: Duration = .seconds(3)) {
            self.medianLatency = medianLatency
            self.latencySigma = latencySigma
            self.declineRate = declineRate
            self.timeoutRate = timeoutRate
            self.timeout = timeout
        }
    }

    public let configuration: Configuration

    public init(_ configuration: Configuration = .init()) {
        self.configuration = configuration
    }

    public func authorize(amount: Money, token: String, reference: UUID) async throws -> PaymentAuthorization {
        let roll = Double.random(in: 0..<1)
        if token == "tok_timeout" || (token != "tok_ok" && roll < configuration.timeoutRate) {
            try await Task.sleep(for: configuration.timeout)
            throw PaymentError.timeout
        }
        let normal = (-2 * log(Double.random(in: Double.ulpOfOne..<1))).squareRoot() * cos(2 * .pi * Double.random(in: 0..<1))
        let seconds = Double(configuration.medianLatency.milliseconds) / 1000 * exp(configuration.latencySigma * normal)
        try await Task.sleep(for: .seconds(min(seconds, Double(configuration.timeout.milliseconds) / 1000)))
        if token == "tok_decline" || (token != "tok_ok" && roll < configuration.timeoutRate + configuration.declineRate) {
            throw PaymentError.declined("card declined by issuer")
        }
        return PaymentAuthorization(reference: "sim_" + reference.uuidString.lowercased().prefix(18))
    }
}
