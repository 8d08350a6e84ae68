import Metrics
import Synchronization

/// The load that a request joined failed; the request may retry.
public struct CacheLoadFailed: Error, Sendable {}

/// Executes `CacheState` for concurrent callers: serves hits, runs one load per missing key and
/// hands its result to every caller that missed meanwhile.
public final class SingleFlightCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private struct Box {
        var state: CacheState<Key, Value>
        var joiners: [Key: [CheckedContinuation<Value, any Error>]] = [:]
    }

    private let box: Mutex<Box>
    private let hits: Counter
    private let misses: Counter
    /// Callers that joined a load another caller was running (single flight's waiters).
    private let joins: Counter
    /// Entries dropped by an invalidation (not by TTL or eviction).
    private let invalidations: Counter

    public init(name: String, _ configuration: CacheState<Key, Value>.Configuration) {
        self.box = Mutex(Box(state: CacheState(configuration)))
        self.hits = Counter(label: "surge_cache_hits_total", dimensions: [("cache", name)])
        self.misses = Counter(label: "surge_cache_misses_total", dimensions: [("cache", name)])
        self.joins = Counter(label: "surge_cache_joins_total", dimensions: [("cache", name)])
        self.invalidations = Counter(label: "surge_cache_invalidations_total", dimensions: [("cache", name)])
    }

    /// Bytes held now.
    public var bytes: Int { box.withLock { $0.state.bytes } }

    /// The value of `key`: cached, joined, or loaded by `load` (whose result costs `size(value)` bytes).
    public func value(for key: Key, size: (Value) -> Int, load: () async throws -> Value) async throws -> Value {
        let random = Double.random(in: Double.ulpOfOne...1)
        let lookup = box.withLock { $0.state.lookup(key, now: .now, random: random) }
        switch lookup {
        case .hit(let value):
            hits.increment()
            return value
        case .refresh(let stale):
            hits.increment()
            return (try? await run(key, size: size, load: load)) ?? stale
        case .load:
            misses.increment()
            return try await run(key, size: size, load: load)
        case .join:
            hits.increment()
            joins.increment()
            return try await withCheckedThrowingContinuation { continuation in
                let ready = box.withLock { box -> Value?? in
                    if box.state.isLoading(key) {
                        box.joiners[key, default: []].append(continuation)
                        return .none
                    }
                    return .some(box.state.peek(key))
                }
                switch ready {
                case .none: break
                case .some(.some(let value)): continuation.resume(returning: value)
                case .some(.none): continuation.resume(throwing: CacheLoadFailed())
                }
            }
        }
    }

    /// Whether `key` can be served now without a load (fresh, or stale within the grace period).
    public func canServe(_ key: Key) -> Bool {
        let now = ContinuousClock.now
        return box.withLock { $0.state.canServe(key, now: now) }
    }

    /// The value of `key` if one can be served now (fresh or stale), without loading or refreshing it:
    /// `nil` when it is not cached. Counted as a hit (or a miss).
    public func cached(_ key: Key) -> Value? {
        let now = ContinuousClock.now
        let value = box.withLock { $0.state.servable(key, now: now) }
        if value == nil { misses.increment() } else { hits.increment() }
        return value
    }

    private func run(_ key: Key, size: (Value) -> Int, load: () async throws -> Value) async throws -> Value {
        let start = ContinuousClock.now
        do {
            let value = try await load()
            let bytes = size(value)
            let now = ContinuousClock.now
            let joiners = box.withLock { box in
                box.state.loaded(key, value: value, bytes: bytes, compute: now - start, now: now)
                return box.joiners.removeValue(forKey: key) ?? []
            }
            for joiner in joiners { joiner.resume(returning: value) }
            return value
        } catch {
            let joiners = box.withLock { box in
                box.state.failed(key)
                return box.joiners.removeValue(forKey: key) ?? []
            }
            for joiner in joiners { joiner.resume(throwing: error) }
            throw error
        }
    }

    /// Drops `key`, here; other instances learn of it through `CatalogInvalidation`.
    public func invalidate(_ key: Key) {
        let dropped = box.withLock { box in
            let had = box.state.peek(key) != nil
            box.state.invalidate(key)
            return had
        }
        if dropped { invalidations.increment() }
    }

    /// Drops everything.
    public func invalidateAll() {
        let dropped = box.withLock { box in
            let count = box.state.count
            box.state.invalidateAll()
            return count
        }
        if dropped > 0 { invalidations.increment(by: dropped) }
    }
}
