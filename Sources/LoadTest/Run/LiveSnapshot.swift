import Synchronization

/// Running totals of one worker (or of all of them), for live progress.
public struct LiveSnapshot: Sendable, Equatable {
    public var arrivals = 0
    public var requests = 0
    public var successes = 0
    public var errors = 0
    public var shed = 0
    public var dropped = 0
    public var inFlight = 0
    /// Request latency from the intended start over the last progress interval, p99, microseconds.
    public var recentP99Micros: UInt64 = 0
    public var phase = ""

    public init() {}

    public mutating func add(_ other: LiveSnapshot) {
        arrivals += other.arrivals
        requests += other.requests
        successes += other.successes
        errors += other.errors
        shed += other.shed
        dropped += other.dropped
        inFlight += other.inFlight
        recentP99Micros = max(recentP99Micros, other.recentP99Micros)
        if phase.isEmpty { phase = other.phase }
    }
}

/// A worker's latest snapshot, shared with the progress printer.
public final class LiveBox: Sendable {
    private let value = Mutex(LiveSnapshot())

    public init() {}

    func store(_ snapshot: LiveSnapshot) { value.withLock { $0 = snapshot } }

    public func load() -> LiveSnapshot { value.withLock { $0 } }
}
