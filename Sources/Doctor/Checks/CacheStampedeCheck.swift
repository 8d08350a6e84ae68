/// A cache that misses most lookups at a high rate: expired entries all loaded from the database at once.
enum CacheStampedeCheck {
    static func check(_ evidence: Evidence, _ thresholds: Thresholds) -> [Finding] {
        guard let store = StoreWindow(evidence) else { return [] }
        return store.last.labelValues("surge_cache_misses_total", "cache").compactMap { cache -> Finding? in
            let misses = store.delta("surge_cache_misses_total", ["cache": cache])
            let hits = store.delta("surge_cache_hits_total", ["cache": cache])
            let rate = misses / store.seconds
            guard rate >= 20, misses / max(1, misses + hits) >= 0.5 else { return nil }
            return Finding(
                cause: .cacheStampede,
                object: "cache \"\(cache)\"",
                keyEvidence: "\(Int(rate)) misses/s, \(Int(misses / max(1, misses + hits) * 100))% of lookups",
                fixes: ["serve stale while one request refreshes (single flight, stale-while-revalidate) and jitter the TTLs so entries do not expire together"],
                impact: 40,
                confidence: .medium
            )
        }
    }
}
