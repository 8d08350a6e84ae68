import Foundation

/// A bounded cache with single-flight loading, as a pure value: events in, decisions out, the time
/// and the random draw passed in by the caller.
///
/// - Byte budget: entries carry their size; the least recently used leave until the total fits.
///   With `.tinyLFU` admission a new entry gets in only if a frequency sketch says it is asked for
///   more often than the entry it would push out (on a Zipf trace this beats plain LRU: see
///   `CachePolicyComparisonTests`).
/// - Single flight: the first miss on a key loads it, later misses join that load.
/// - TTL with stale-while-revalidate: past `ttl` an entry is still served for `staleFor` while one
///   request refreshes it; before `ttl`, XFetch (Vattani et al.) makes that refresh start early with
///   a probability rising as expiry nears, scaled by how long the value took to compute, so a hot key
///   never expires for everyone at once.
public struct CacheState<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    /// Whether a new entry may push out an old one.
    public enum Admission: String, Sendable { case lru, tinyLFU }

    public struct Configuration: Sendable {
        public var budgetBytes: Int
        public var admission: Admission = .tinyLFU
        /// Expected entries, to size the frequency sketch.
        public var expectedEntries: Int = 10_000
        public var ttl: Duration
        public var staleFor: Duration
        /// XFetch's β: above 1 refreshes earlier, 0 turns early refresh off.
        public var earlyRefreshBeta: Double

        public init(budgetBytes: Int, ttl: Duration = .seconds(30), staleFor: Duration = .seconds(30), earlyRefreshBeta: Double = 1,
                    admission: Admission = .tinyLFU) {
            self.budgetBytes = budgetBytes
            self.admission = admission
            self.ttl = ttl
            self.staleFor = staleFor
            self.earlyRefreshBeta = earlyRefreshBeta
        }
    }

    public enum Lookup: Sendable {
        /// Serve it.
        case hit(Value)
        /// Serve it after refreshing it yourself (stale or due for early refresh); others keep getting it meanwhile.
        case refresh(Value)
        /// Load it, then call `loaded` or `failed`.
        case load
        /// Someone is loading it: wait for their result.
        case join
    }

    struct Entry: Sendable {
        var value: Value
        var bytes: Int
        var stored: ContinuousClock.Instant
        var computeSeconds: Double
        var refreshing: Bool
    }

    public let configuration: Configuration
    private(set) var entries: [Key: Entry] = [:]
    private(set) var loading: Set<Key> = []
    /// Keys invalidated while being loaded: that load's result must not be stored.
    private var dirty: Set<Key> = []
    public private(set) var bytes = 0
    private var recency = RecencyList<Key>()
    private var sketch: FrequencySketch

    public init(_ configuration: Configuration) {
        self.configuration = configuration
        self.sketch = FrequencySketch(capacity: configuration.expectedEntries)
    }

    public var count: Int { entries.count }

    /// The stored value of `key`, without counting a use (for joiners after a load ended).
    public func peek(_ key: Key) -> Value? { entries[key]?.value }

    /// Whether a load of `key` is running.
    public func isLoading(_ key: Key) -> Bool { loading.contains(key) }

    /// Looks `key` up at `now`; `random` is a uniform draw in (0, 1] for XFetch.
    public mutating func lookup(_ key: Key, now: ContinuousClock.Instant, random: Double) -> Lookup {
        if configuration.admission == .tinyLFU { sketch.increment(key.hashValue) }
        if var entry = entries[key] {
            let age = now - entry.stored
            if age < configuration.ttl + configuration.staleFor {
                recency.touch(key)
                let remaining = (configuration.ttl - age).seconds
                let early = entry.computeSeconds * configuration.earlyRefreshBeta * -log(max(random, .leastNonzeroMagnitude))
                let due = remaining <= 0 || early >= remaining
                if due && !entry.refreshing {
                    entry.refreshing = true
                    entries[key] = entry
                    return .refresh(entry.value)
                }
                entries[key] = entry
                return .hit(entry.value)
            }
            remove(key)
        }
        if loading.contains(key) { return .join }
        loading.insert(key)
        return .load
    }

    /// Whether `key` has a value that can be served at `now` (fresh, or stale within `staleFor`), without
    /// counting a use: the admission layer asks this before it sheds a request the cache could answer.
    public func canServe(_ key: Key, now: ContinuousClock.Instant) -> Bool {
        guard let entry = entries[key] else { return false }
        return now - entry.stored < configuration.ttl + configuration.staleFor
    }

    /// The value of `key` if it can be served at `now` (fresh or stale), counted as a use, without
    /// starting a load or a refresh: for requests that may not cause database work (overload).
    public mutating func servable(_ key: Key, now: ContinuousClock.Instant) -> Value? {
        guard canServe(key, now: now), let entry = entries[key] else { return nil }
        if configuration.admission == .tinyLFU { sketch.increment(key.hashValue) }
        recency.touch(key)
        return entry.value
    }

    /// The load (or refresh) of `key` produced `value` of `bytes`, having taken `compute`.
    public mutating func loaded(_ key: Key, value: Value, bytes: Int, compute: Duration, now: ContinuousClock.Instant) {
        loading.remove(key)
        remove(key)
        guard dirty.remove(key) == nil, bytes <= configuration.budgetBytes else { return }
        if configuration.admission == .tinyLFU, self.bytes + bytes > configuration.budgetBytes, let victim = recency.oldest,
           sketch.estimate(key.hashValue) <= sketch.estimate(victim.hashValue) {
            return
        }
        entries[key] = Entry(value: value, bytes: bytes, stored: now, computeSeconds: compute.seconds, refreshing: false)
        recency.touch(key)
        self.bytes += bytes
        while self.bytes > configuration.budgetBytes, let victim = recency.oldest {
            remove(victim)
        }
    }

    /// The load of `key` failed: waiters get the error; a stale entry being refreshed stays servable.
    public mutating func failed(_ key: Key) {
        loading.remove(key)
        dirty.remove(key)
        entries[key]?.refreshing = false
    }

    /// Drops `key` (an invalidation).
    public mutating func invalidate(_ key: Key) {
        if loading.contains(key) || entries[key]?.refreshing == true { dirty.insert(key) }
        remove(key)
    }

    /// Drops everything.
    public mutating func invalidateAll() {
        dirty.formUnion(loading)
        for (key, entry) in entries where entry.refreshing { dirty.insert(key) }
        entries.removeAll()
        recency.removeAll()
        bytes = 0
    }

    private mutating func remove(_ key: Key) {
        if let old = entries.removeValue(forKey: key) { bytes -= old.bytes }
        recency.remove(key)
    }
}
