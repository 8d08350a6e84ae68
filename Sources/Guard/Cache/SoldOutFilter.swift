import Metrics
import Synchronization

/// The sold-out fast path: variants known to have no stock left, so a flash sale's thousandth
/// "add to cart" or checkout of a sold-out item is refused without touching the database, and, in
/// checkout, without queueing on the hot stock row's lock.
///
/// An entry is written when the database itself answered "sold out", and lives for `ttl` at most;
/// any catalog change notification (stock crossing zero notifies, see migration 0002) clears the
/// whole filter, so restocked or released stock is sellable again at once, and at worst `ttl`
/// later if a notification is lost. Bounded: past `capacity` entries, new ones are not recorded.
public final class SoldOutFilter: Sendable {
    public let ttl: Duration
    public let capacity: Int
    private let entries = Mutex<[Int64: ContinuousClock.Instant]>([:])
    private let refusals = Counter(label: "surge_sold_out_fast_path_total")

    public init(ttl: Duration = .seconds(2), capacity: Int = 100_000) {
        self.ttl = ttl
        self.capacity = capacity
    }

    /// Whether `variant` is known to be sold out now (counts a fast-path refusal when it is).
    public func isSoldOut(_ variant: Int64, now: ContinuousClock.Instant = .now) -> Bool {
        let known = entries.withLock { entries -> Bool in
            guard let expiry = entries[variant] else { return false }
            if expiry > now { return true }
            entries[variant] = nil
            return false
        }
        if known { refusals.increment() }
        return known
    }

    /// The first of `variants` known to be sold out, if any.
    public func firstSoldOut(_ variants: some Sequence<Int64>, now: ContinuousClock.Instant = .now) -> Int64? {
        variants.first { isSoldOut($0, now: now) }
    }

    /// The database said `variant` has no stock left.
    public func markSoldOut(_ variant: Int64, now: ContinuousClock.Instant = .now) {
        entries.withLock { entries in
            if entries.count >= capacity {
                entries = entries.filter { $0.value > now }
                guard entries.count < capacity else { return }
            }
            entries[variant] = now + ttl
        }
    }

    /// Forgets everything (stock changed somewhere).
    public func clear() {
        entries.withLock { $0.removeAll(keepingCapacity: true) }
    }

    /// Entries held now (expired ones included until touched).
    public var count: Int { entries.withLock { $0.count } }
}
