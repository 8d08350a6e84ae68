import Foundation
@testable import Guard
import Reproducible
import Testing

/// LRU against TinyLFU admission on a Zipf trace, through `CacheState` itself (deterministic: a
/// seeded generator and no clock). The store keeps the better one (`Admission.tinyLFU` by default).
@Suite struct CachePolicyComparisonTests {
    /// Keys 0..<n drawn with probability ∝ 1/(rank+1)^s.
    static func zipfTrace(keys: Int, requests: Int, s: Double, seed: UInt64) -> [Int] {
        var cdf: [Double] = []
        cdf.reserveCapacity(keys)
        var total = 0.0
        for rank in 0..<keys {
            total += 1 / pow(Double(rank + 1), s)
            cdf.append(total)
        }
        var generator = SplitMix64(seed: seed)
        return (0..<requests).map { _ in
            let u = Double(generator.next() >> 11) / Double(1 << 53) * total
            var (low, high) = (0, keys - 1)
            while low < high {
                let mid = (low + high) / 2
                if cdf[mid] < u { low = mid + 1 } else { high = mid }
            }
            // Scatter ranks over the key space so hashing cannot favour popular keys.
            return (low &* 2_654_435_761) % 1_000_003
        }
    }

    static func hitRatio(_ trace: [Int], capacity: Int, admission: CacheState<Int, Int>.Admission) -> Double {
        var configuration = CacheState<Int, Int>.Configuration(budgetBytes: capacity, ttl: .seconds(3600), staleFor: .zero,
                                                               earlyRefreshBeta: 0, admission: admission)
        configuration.expectedEntries = capacity
        var cache = CacheState<Int, Int>(configuration)
        let now = ContinuousClock.now
        var hits = 0
        for key in trace {
            switch cache.lookup(key, now: now, random: 1) {
            case .hit, .refresh: hits += 1
            case .load: cache.loaded(key, value: key, bytes: 1, compute: .zero, now: now)
            case .join: break
            }
        }
        return Double(hits) / Double(trace.count)
    }

    @Test(arguments: [0.8, 1.0])
    func tinyLFUBeatsLRUOnAZipfTrace(skew: Double) {
        let trace = Self.zipfTrace(keys: 20_000, requests: 60_000, s: skew, seed: 11)
        let lru = Self.hitRatio(trace, capacity: 500, admission: .lru)
        let tiny = Self.hitRatio(trace, capacity: 500, admission: .tinyLFU)
        print("Zipf s=\(skew), 20k keys, 60k requests, 500 entries: LRU hit ratio \(lru), TinyLFU \(tiny)")
        #expect(tiny > lru)
    }
}
