/// Admission control as a pure state machine (like PostgresNIO's `PoolStateMachine`): events in,
/// decisions out, time passed in by the caller, no I/O. `AdmissionController` executes it.
///
/// Below the adaptive limit everyone is admitted. When the limit is full, a priority still under its
/// guaranteed share of the limit is admitted anyway (so a flood of browsing cannot starve checkout);
/// others wait in a queue served highest priority first and, within a priority, in arrival order,
/// each waiter for at most its priority's queue timeout. The queue is bounded by time, not by a
/// small count: a flash sale's 1,000 checkouts arriving in the same second wait their turn (a
/// checkout for up to 8 s, a cart change for 4.5 s), and a request whose expected wait (the waiters
/// ahead of it, served at `limit` per round trip) would exceed its queue timeout is refused at once
/// instead of waiting to be refused. `maximumQueue` only bounds memory; a full queue makes room for
/// a higher priority by evicting the lowest, newest waiter.
///
/// A queue only absorbs bursts. Once it has stayed non-empty for `standingQueueInterval` (CoDel's
/// "standing queue", as in Facebook's adaptive LIFO), the store is overloaded rather than bursty:
/// for `overloadHold` after that (extended while arrivals keep finding the limit full), queue
/// timeouts switch to `overloadQueueTimeout`, where browsing does not wait at all. Waiting browse
/// requests would mostly time out anyway, each after holding a task and a timer for 50 ms.
public struct AdmissionLimiter: Sendable {
    public struct Configuration: Sendable {
        public var limit = GradientLimit.Configuration()
        /// Share of the limit each priority is guaranteed when the limit is full (checkout, cart, browse, bot).
        public var guaranteedShare: [Priority: Double] = [.checkout: 0.5, .cart: 0.25, .browse: 0.25, .bot: 0]
        /// Longest wait in the queue per priority; zero means never queued. A buyer may wait most of
        /// its route's deadline (checkout 10 s, cart 5 s): a flash sale's buyers all want one stock
        /// row, which serves them one at a time, and a late order beats a 503.
        public var queueTimeout: [Priority: Duration] = [
            .checkout: .seconds(8), .cart: .milliseconds(4_500), .browse: .milliseconds(50), .bot: .zero,
        ]
        /// Most requests waiting at once, all priorities together (a bound on memory, not on bursts).
        public var maximumQueue = 4096
        /// A queue non-empty this long is a standing queue: the store is overloaded.
        public var standingQueueInterval: Duration = .milliseconds(100)
        /// How long overload lasts after the last arrival that found a standing queue or a full limit.
        public var overloadHold: Duration = .seconds(1)
        /// Queue timeouts that replace `queueTimeout` while overloaded; a priority not listed keeps its
        /// `queueTimeout` (checkout and cart still wait as long as ever).
        public var overloadQueueTimeout: [Priority: Duration] = [.browse: .zero, .bot: .zero]
        /// Cache fills beside the limit: browse reads (people, not bots) the limiter refuses whose page
        /// the catalog cache could keep but does not hold yet may still run, this many at a time. Without
        /// them a cold cache never fills under overload (every miss is shed, so every page stays a miss:
        /// a cold store's buyers never reach their first product page). Zero turns them off.
        public var cacheFills = 2
        /// While a buyer (cart or checkout) waits for admission, cache fills run only on credit: this
        /// share of each request admission completes (2%: one fill per 50). Without it, at 10× C* on
        /// this 2-core machine fills took the buyers' database time (buyers done 89% → 74%).
        public var cacheFillShare = 0.02

        public init() {}
    }

    /// What to do with a request that asked to be admitted.
    public enum Decision: Sendable, Equatable {
        case admit
        /// Wait until `deadline`; `evicted` is a lower-priority waiter pushed out to make room (reject it).
        case enqueue(deadline: ContinuousClock.Instant, evicted: UInt64?)
        case reject
    }

    /// Waiters to admit and to reject after an event.
    public struct Actions: Sendable, Equatable {
        public var admit: [UInt64] = []
        public var reject: [UInt64] = []
        public var isEmpty: Bool { admit.isEmpty && reject.isEmpty }
    }

    struct Waiter: Sendable, Equatable {
        var id: UInt64
        var priority: Priority
        var enqueued: ContinuousClock.Instant
        var deadline: ContinuousClock.Instant
    }

    public let configuration: Configuration
    public private(set) var gradient: GradientLimit
    public private(set) var inFlight: [Priority: Int] = [:]
    public private(set) var totalInFlight = 0
    private(set) var queue: [Waiter] = []
    /// How many requests were waiting admission.
    public var queueLength: Int { queue.count }
    /// Since when the queue has been non-empty.
    private(set) var queuedSince: ContinuousClock.Instant?
    /// Overloaded until then (see the type's documentation).
    private(set) var overloadedUntil: ContinuousClock.Instant?

    public init(_ configuration: Configuration = .init()) {
        self.configuration = configuration
        self.gradient = GradientLimit(configuration.limit)
    }

    /// The current concurrency limit.
    public var limit: Int { gradient.limit }

    /// A request of `priority` with id `id` asks to start.
    public mutating func acquire(id: UInt64, priority: Priority, now: ContinuousClock.Instant) -> Decision {
        if canAdmit(priority) {
            start(priority)
            return .admit
        }
        if isOverloaded(now) { overloadedUntil = now + configuration.overloadHold }
        let timeout = queueTimeout(priority, now: now)
        guard timeout > .zero, !waitWouldExceed(timeout, priority) else { return .reject }
        var evicted: UInt64? = nil
        if queue.count >= configuration.maximumQueue {
            // The lowest priority, newest waiter leaves, if it is worth less than the newcomer.
            guard let victim = queue.indices.max(by: { lhs, rhs in
                let (l, r) = (queue[lhs], queue[rhs])
                return l.priority != r.priority ? l.priority < r.priority : l.enqueued < r.enqueued
            }), queue[victim].priority > priority else { return .reject }
            evicted = queue.remove(at: victim).id
        }
        let deadline = now + timeout
        if queue.isEmpty { queuedSince = now }
        queue.append(Waiter(id: id, priority: priority, enqueued: now, deadline: deadline))
        return .enqueue(deadline: deadline, evicted: evicted)
    }

    /// A request of `priority` was refused without `acquire` because `wouldReject` said so: the
    /// arrival found the limit full, which keeps an overload going as `acquire` would.
    public mutating func noteShed(now: ContinuousClock.Instant) {
        if isOverloaded(now) { overloadedUntil = now + configuration.overloadHold }
    }

    /// Whether an arrival at `now` that finds the limit full finds the store overloaded.
    public func isOverloaded(_ now: ContinuousClock.Instant) -> Bool {
        if let until = overloadedUntil, now < until { return true }
        guard let since = queuedSince else { return false }
        return now - since >= configuration.standingQueueInterval
    }

    /// How long a request of `priority` arriving at `now` to a full limit may wait.
    func queueTimeout(_ priority: Priority, now: ContinuousClock.Instant) -> Duration {
        (isOverloaded(now) ? configuration.overloadQueueTimeout[priority] : nil) ?? configuration.queueTimeout[priority] ?? .zero
    }

    /// Whether a newcomer of `priority` would wait longer than `timeout` for admission: the waiters it
    /// queues behind (its own priority and higher), served `limit` at a time, one round trip each
    /// (the last window's median, else the baseline). Unknown before the first window closes.
    func waitWouldExceed(_ timeout: Duration, _ priority: Priority) -> Bool {
        guard let roundTrip = gradient.lastWindowSeconds ?? gradient.baselineSeconds, roundTrip > 0 else { return false }
        let ahead = queue.reduce(0) { $0 + ($1.priority <= priority ? 1 : 0) } + 1
        let expected = Double(ahead) * roundTrip / Double(max(1, limit))
        return expected > timeout.seconds
    }

    /// Whether `acquire` for `priority` would answer `.reject` at `now` (no state changes): lets the HTTP
    /// layer refuse such a request before it costs a task, a router match or a middleware chain.
    public func wouldReject(_ priority: Priority, now: ContinuousClock.Instant) -> Bool {
        if canAdmit(priority) { return false }
        let timeout = queueTimeout(priority, now: now)
        guard timeout > .zero, !waitWouldExceed(timeout, priority) else { return true }
        guard queue.count >= configuration.maximumQueue else { return false }
        // A full queue takes a newcomer only by evicting a lower-priority waiter.
        return !queue.contains { $0.priority > priority }
    }

    /// Whether a request of `priority` that would be rejected may be answered from a cache instead
    /// (no database work, but still CPU on the store): only while no higher priority waits for
    /// admission, so that serving cached pages never delays a cart or a checkout.
    public func mayAnswerFromCache(_ priority: Priority) -> Bool {
        !queue.contains { $0.priority < priority }
    }

    /// An admitted request of `priority` finished after `rtt`; `dropped` when it failed for lack of
    /// capacity (deadline, timeout); `inFlightAtStart` is the total when it was admitted.
    public mutating func release(priority: Priority, rtt: Duration, dropped: Bool, inFlightAtStart: Int,
                                 now: ContinuousClock.Instant) -> Actions {
        inFlight[priority, default: 0] -= 1
        totalInFlight -= 1
        gradient.record(rtt: rtt, dropped: dropped, inFlight: inFlightAtStart, now: now)
        return drain(now: now)
    }

    /// An admitted request of `priority` stepped out to wait on something that uses none of this
    /// store's capacity (the payment provider): its slot goes to the next waiter until `resume`.
    public mutating func suspend(priority: Priority, now: ContinuousClock.Instant) -> Actions {
        inFlight[priority, default: 0] -= 1
        totalInFlight -= 1
        return drain(now: now)
    }

    /// A suspended request is back: it runs at once, above the limit if need be, since what is left of
    /// it (a paid checkout's order) must not be refused.
    public mutating func resume(priority: Priority) {
        start(priority)
    }

    /// An admitted request finished without a meaningful sample (client error before any work).
    public mutating func releaseWithoutSample(priority: Priority, now: ContinuousClock.Instant) -> Actions {
        inFlight[priority, default: 0] -= 1
        totalInFlight -= 1
        return drain(now: now)
    }

    /// The database is unreachable: what requests learn now says nothing about capacity (see
    /// `GradientLimit.databaseUnavailable`).
    public mutating func databaseUnavailable(now: ContinuousClock.Instant) {
        gradient.databaseUnavailable(now: now)
    }

    /// A waiter gave up (cancelled); `true` if it was still queued.
    public mutating func cancel(id: UInt64) -> Bool {
        guard let index = queue.firstIndex(where: { $0.id == id }) else { return false }
        queue.remove(at: index)
        if queue.isEmpty { queuedSince = nil }
        return true
    }

    /// Waiters whose queue time ran out by `now` leave the queue (reject them).
    public mutating func expire(now: ContinuousClock.Instant) -> [UInt64] {
        let expired = queue.filter { $0.deadline <= now }.map(\.id)
        if !expired.isEmpty { queue.removeAll { $0.deadline <= now } }
        if queue.isEmpty { queuedSince = nil }
        return expired
    }

    private mutating func drain(now: ContinuousClock.Instant) -> Actions {
        var actions = Actions(admit: [], reject: expire(now: now))
        while let next = bestWaiter(), canAdmit(queue[next].priority) {
            let waiter = queue.remove(at: next)
            start(waiter.priority)
            actions.admit.append(waiter.id)
        }
        if queue.isEmpty { queuedSince = nil }
        return actions
    }

    /// Highest priority first; within a priority, the oldest (FIFO): a waiter is only queued when it
    /// can be served within its timeout, so the first to come is not the likeliest to have given up.
    private func bestWaiter() -> Int? {
        queue.indices.min { lhs, rhs in
            let (l, r) = (queue[lhs], queue[rhs])
            return l.priority != r.priority ? l.priority < r.priority : l.enqueued < r.enqueued
        }
    }

    private func canAdmit(_ priority: Priority) -> Bool {
        if totalInFlight < limit { return true }
        let share = configuration.guaranteedShare[priority] ?? 0
        return Double(inFlight[priority, default: 0]) < (share * Double(limit)).rounded(.down)
    }

    private mutating func start(_ priority: Priority) {
        inFlight[priority, default: 0] += 1
        totalInFlight += 1
    }
}
