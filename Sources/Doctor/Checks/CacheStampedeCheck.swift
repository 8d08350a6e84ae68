import Foundation

/// The catalog cache misses most lookups while it should be warm, and every miss is a load from the
/// database. Two ways there, both read from the store's `/metrics`:
/// - an invalidation storm: entries are dropped (`surge_cache_invalidations_total`, a catalog change's
///   NOTIFY) about as fast as they are missed, so the misses reload what was just dropped;
/// - a warm past lost: the miss share jumps to twice what it was since the store started (entries
///   expired together).
/// A cold cache (just started, or a scan over distinct keys) misses as much, but has nothing dropped
/// and no warm past: it is not named.
enum CacheStampedeCheck {
    /// Below a handful of loads a second the misses are noise, whatever their share.
    static let missesPerSecond = 5.0
    static let windowMissShare = 0.5
    /// Entries invalidated per miss from which the misses are reloads of invalidated entries.
    static let invalidatedPerMiss = 0.5

    static func check(_ evidence: Evidence, _ thresholds: Thresholds) -> [Finding] {
        guard let store = StoreWindow(evidence) else { return [] }
        let catalog = catalogReads(evidence)
        return store.last.labelValues("surge_cache_misses_total", "cache").compactMap { cache -> Finding? in
            let labels = ["cache": cache]
            let misses = store.delta("surge_cache_misses_total", labels)
            let hits = store.delta("surge_cache_hits_total", labels)
            let rate = misses / store.seconds
            let share = misses / max(1, misses + hits)
            guard rate >= missesPerSecond, share >= windowMissShare else { return nil }
            let invalidated = store.delta("surge_cache_invalidations_total", labels)
            let joins = store.delta("surge_cache_joins_total", labels)
            let storm = invalidated >= misses * invalidatedPerMiss
            // The miss share since the store started, before this window: the cache's warm past.
            let pastMisses = store.first.sum("surge_cache_misses_total", labels) ?? 0
            let pastHits = store.first.sum("surge_cache_hits_total", labels) ?? 0
            let pastShare = pastMisses + pastHits >= 1000 ? pastMisses / (pastMisses + pastHits) : nil
            let warmLost = pastShare.map { share >= 2 * $0 } ?? false
            guard storm || warmLost else { return nil }
            let key = storm
                ? "\(Int(rate)) misses/s (\(Int(share * 100))% of lookups) while \(Int(invalidated / store.seconds)) entries/s are invalidated"
                : "\(Int(rate)) misses/s, \(Int(share * 100))% of lookups against \(Int((pastShare ?? 0) * 100))% before"
            var lines = [
                "  \(Int(misses)) loads from the database, \(Int(hits)) lookups answered, \(Int(joins)) waited on another request's load (single flight) in \(Seconds.text(store.seconds))",
            ]
            if let pastShare { lines.append("  before this window: \(Int(pastShare * 100))% of \(Int(pastMisses + pastHits)) lookups missed") }
            if catalog.calls > 0 {
                lines.append(String(format: "  catalog reads in the database: %.0f calls, %@ (%.0f%% of the window's statement time)",
                                    catalog.calls, Seconds.text(catalog.timeMs / 1000), catalog.share * 100))
            }
            return Finding(
                cause: .cacheStampede,
                object: "cache \"\(cache)\"",
                keyEvidence: key,
                evidence: lines,
                fixes: (storm
                    ? ["find what changes the catalog this often (NOTIFY on surge_catalog): the catalog triggers fire on every UPDATE, even one that changes nothing; batch the job's writes or make the triggers WHEN (OLD.* IS DISTINCT FROM NEW.*)"]
                    : [])
                    + ["serve stale while one request refreshes (single flight, stale-while-revalidate) and jitter the TTLs so entries do not expire together"],
                // The larger the share missed and the more database time the reloads take, the larger the incident.
                impact: 40 + 20 * share + min(20, catalog.busyBackends * 20),
                // Two series agree (misses and the invalidations that caused them): high.
                confidence: storm ? .high : .medium
            )
        }
    }

    /// The window's catalog reads from pg_stat_statements: statements reading `products` or `variants`
    /// (what a cache miss loads), not writes to them.
    static func catalogReads(_ evidence: Evidence) -> (calls: Double, timeMs: Double, share: Double, busyBackends: Double) {
        let reads = evidence.statementDeltas.filter { delta in
            let query = delta.query.lowercased()
            let write = ["update", "insert", "delete"].contains { query.drop { $0 == " " || $0 == "\n" }.hasPrefix($0) }
            return !write && (query.contains("products") || query.contains("variants"))
        }
        let time = reads.reduce(0) { $0 + $1.timeMs }
        let total = evidence.windowStatementTimeMs
        return (reads.reduce(0) { $0 + $1.calls }, time, total > 0 ? time / total : 0, time / 1000 / evidence.elapsedSeconds)
    }
}
