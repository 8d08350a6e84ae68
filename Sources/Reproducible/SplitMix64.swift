import Foundation

/// A small, fast, seedable generator (SplitMix64): the same seed gives the same sequence in every
/// process and on every platform, so a seeded catalog, a Poisson schedule or a property test replays.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    public mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }

    /// Uniform in (0, 1]: never zero, so `-log(u)` is finite.
    public mutating func unitInterval() -> Double { Double((next() >> 11) + 1) / Double(1 << 53) }

    /// Uniform in 0..<n.
    public mutating func index(_ n: Int) -> Int { Int(next() % UInt64(n)) }

    /// Standard normal (Box-Muller).
    public mutating func normal() -> Double {
        let u = max(uniform(), Double.ulpOfOne)
        return (-2 * log(u)).squareRoot() * cos(2 * .pi * uniform())
    }

    /// Zipf-distributed in 1...n (rejection-free approximation by inverse CDF of the continuous law).
    public mutating func zipf(n: Int, s: Double) -> Int {
        let u = uniform()
        let exponent = 1 - s
        let value = pow(u * (pow(Double(n) + 0.5, exponent) - pow(0.5, exponent)) + pow(0.5, exponent), 1 / exponent)
        return min(n, max(1, Int(value.rounded())))
    }
}
