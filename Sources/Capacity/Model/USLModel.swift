import Foundation

/// Gunther's Universal Scalability Law: X(N) = λN / (1 + σ(N−1) + κN(N−1)).
///
/// σ (contention) is the share of work that serialises; κ (coherency) is the cost of keeping N
/// workers consistent with each other, which makes throughput fall past a peak; λ is the throughput
/// of one worker with no interference.
public struct USLModel: Sendable, Equatable, Codable {
    public var sigma: Double
    public var kappa: Double
    public var lambda: Double

    public init(sigma: Double, kappa: Double, lambda: Double) {
        self.sigma = sigma
        self.kappa = kappa
        self.lambda = lambda
    }

    /// The denominator 1 + σ(N−1) + κN(N−1): how much slower than linear the system is at N.
    public func slowdown(at load: Double) -> Double {
        1 + sigma * (load - 1) + kappa * load * (load - 1)
    }

    /// Throughput at concurrency `load`.
    public func throughput(at load: Double) -> Double {
        lambda * load / slowdown(at: load)
    }

    /// Mean response time at concurrency `load` in a closed loop without think time (Little's law R = N/X).
    public func responseTime(at load: Double) -> Double {
        slowdown(at: load) / lambda
    }

    /// The concurrency at which throughput peaks, N* = √((1−σ)/κ); nil when κ = 0 (no peak, only an asymptote).
    public var peakLoad: Double? {
        guard kappa > 0, sigma < 1 else { return nil }
        return ((1 - sigma) / kappa).squareRoot()
    }

    /// The highest throughput the model reaches: X(N*), or nil without a peak.
    public var peakThroughput: Double? {
        peakLoad.map { throughput(at: $0) }
    }

    /// The throughput approached as N grows when κ = 0 (Amdahl's bound λ/σ), nil when σ = 0 too.
    public var asymptoticThroughput: Double? {
        sigma > 0 ? lambda / sigma : nil
    }

    /// The best throughput this model allows: the peak, else the Amdahl bound, else nil (unbounded).
    public var ceilingThroughput: Double? { peakThroughput ?? asymptoticThroughput }
}
