import Synchronization

/// Listing request targets (path and query, as sent) served before, with their catalog cache keys:
/// admission asks, for every listing it would shed, whether the cache can answer it, and looking
/// the target up here is cheaper than parsing and validating it again.
final class ListingTargets: Sendable {
    private let keys = Mutex<[String: String]>([:])

    /// Bound of the map (entries are a few hundred bytes; cleared when full).
    static let maximumTargets = 20_000

    /// Notes that the listing request `target` is the query whose cache key is `key`.
    func remember(target: String, key: String) {
        keys.withLock { keys in
            if keys.count >= Self.maximumTargets { keys.removeAll(keepingCapacity: true) }
            keys[target] = key
        }
    }

    /// The cache key of a listing `target` served before, if any.
    func key(for target: String) -> String? { keys.withLock { $0[target] } }
}
