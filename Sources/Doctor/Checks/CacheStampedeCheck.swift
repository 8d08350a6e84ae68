/// A warm cache that suddenly misses most lookups at a high rate: entries expired together and
/// every request loads them from the database. A cold cache (just started, or a scan over
/// distinct keys) misses as much but has no warm past: it is not named.
enum CacheStampedeCheck {
    static let missesPerSecond = 100.0
    static let windowMissShare = 0.5

    static func check(_ evidence: Evidence, _ thresholds: Thresholds) -> [Finding] {
        guard let store = StoreWindow(evidence) else { return [] }
        return store.last.labelValues("surge_cache_misses_total", "cache").compactMap { cache -> Finding? in
            let labels = ["cache": cache]
            let misses = store.delta("surge_cache_misses_total", labels)
            let hits = store.delta("surge_cache_hits_total", labels)
            let rate = misses / store.seconds
            let share = misses / max(1, misses + hits)
            // The miss share since the store started, before this window: the cache's warm past.
            let pastMisses = store.first.sum("surge_cache_misses_total", labels) ?? 0
            let pastHits = store.first.sum("surge_cache_hits_total", labels) ?? 0
            guard pastMisses + pastHits >= 1000 else { return nil }
            let pastShare = pastMisses / (pastMisses + pastHits)
            guard rate >= missesPerSecond, share >= windowMissShare, share >= 2 * pastShare else { return nil }
            return Finding(
                cause: .cacheStampede,
                object: "cache \"\(cache)\"",
                keyEvidence: "\(Int(rate)) misses/s, \(Int(share * 100))% of lookups against \(Int(pastShare * 100))% before",
                fixes: ["serve stale while one request refreshes (single flight, stale-while-revalidate) and jitter the TTLs so entries do not expire together"],
                impact: 40,
                confidence: .medium
            )
        }
    }
}
