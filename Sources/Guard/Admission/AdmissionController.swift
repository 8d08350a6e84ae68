import Metrics
import Synchronization

/// The request was shed: the store is at its concurrency limit for this priority.
public struct Overloaded: Error, Sendable, CustomStringConvertible {
    /// Seconds after which a retry is likely to be admitted.
    public var retryAfterSeconds: Int
    public init(retryAfterSeconds: Int = 1) { self.retryAfterSeconds = retryAfterSeconds }
    public var description: String { "overloaded: the store is at capacity, retry in \(retryAfterSeconds) s" }
}

/// Executes `AdmissionLimiter` for concurrent requests: admits, parks or rejects them, and wakes
/// parked requests as others finish or their queue time runs out.
public final class AdmissionController: Sendable {
    /// An admitted request's right to run; give it back with `release`.
    public struct Permit: Sendable {
        public let priority: Priority
        let started: ContinuousClock.Instant
        let inFlightAtStart: Int
    }

    private enum Parked {
        case waiting(CheckedContinuation<Void, any Error>)
        case admitted
        case rejected
    }

    private struct State {
        var limiter: AdmissionLimiter
        var nextID: UInt64 = 0
        var parked: [UInt64: Parked] = [:]
        /// Cache fills running now (see `AdmissionLimiter.Configuration.cacheFills`).
        var fills = 0
        /// Fills earned while buyers wait: `cacheFillShare` per request admission completes, at most
        /// `cacheFills` (see `acquireCacheFill`).
        var fillCredit = 0.0
    }

    private let state: Mutex<State>
    private let rejected: [Priority: Counter]
    private let cacheAnswered: [Priority: Counter]
    private let cacheFilled: Counter
    /// How long queued requests waited for admission (admitted or not), by priority class.
    private let queueWait: [Priority: Timer]
    private let maximumFills: Int
    private let fillShare: Double
    private let limitGauge = Gauge(label: "surge_admission_limit")
    private let inFlightGauge = Gauge(label: "surge_admission_in_flight")

    public init(_ configuration: AdmissionLimiter.Configuration = .init()) {
        self.state = Mutex(State(limiter: AdmissionLimiter(configuration)))
        var rejected: [Priority: Counter] = [:]
        var cacheAnswered: [Priority: Counter] = [:]
        var queueWait: [Priority: Timer] = [:]
        for priority in Priority.allCases {
            queueWait[priority] = Timer(label: "surge_admission_queue_wait_seconds", dimensions: [("class", "\(priority)")])
            rejected[priority] = Counter(label: "surge_admission_rejected_total", dimensions: [("class", "\(priority)")])
            cacheAnswered[priority] = Counter(label: "surge_admission_cache_answered_total", dimensions: [("class", "\(priority)")])
        }
        self.rejected = rejected
        self.cacheAnswered = cacheAnswered
        self.queueWait = queueWait
        self.cacheFilled = Counter(label: "surge_admission_cache_fills_total", dimensions: [("class", "\(Priority.browse)")])
        self.maximumFills = max(0, configuration.cacheFills)
        self.fillShare = max(0, configuration.cacheFillShare)
    }

    /// The current concurrency limit.
    public var limit: Int { state.withLock { $0.limiter.limit } }
    /// Requests waiting for admission now.
    public var queueLength: Int { state.withLock { $0.limiter.queueLength } }
    /// Requests running now.
    public var inFlight: Int { state.withLock { $0.limiter.totalInFlight } }

    /// Admits a request of `priority`, possibly after a short wait; throws `Overloaded` when shed.
    public func acquire(_ priority: Priority) async throws -> Permit {
        let now = ContinuousClock.now
        let (id, decision, inFlight) = state.withLock { state -> (UInt64, AdmissionLimiter.Decision, Int) in
            state.nextID += 1
            let before = state.limiter.totalInFlight
            let decision = state.limiter.acquire(id: state.nextID, priority: priority, now: now)
            if case .enqueue(_, let evicted) = decision {
                if let evicted { Self.resolve(evicted, admitted: false, in: &state) }
            }
            return (state.nextID, decision, before)
        }
        switch decision {
        case .admit:
            return Permit(priority: priority, started: now, inFlightAtStart: inFlight + 1)
        case .reject:
            rejected[priority]?.increment()
            throw Overloaded()
        case .enqueue(let deadline, _):
            do {
                try await wait(id: id, until: deadline)
            } catch {
                recordQueueWait(priority, since: now)
                rejected[priority]?.increment()
                throw error
            }
            recordQueueWait(priority, since: now)
            return Permit(priority: priority, started: ContinuousClock.now, inFlightAtStart: self.inFlight)
        }
    }

    private func recordQueueWait(_ priority: Priority, since start: ContinuousClock.Instant) {
        let (seconds, attoseconds) = (ContinuousClock.now - start).components
        queueWait[priority]?.recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    /// Whether `acquire` would reject a request of `priority` now (nothing changes): the HTTP layer
    /// asks this first, so that under normal load it does no other work for early shedding.
    public func wouldShed(_ priority: Priority) -> Bool {
        let now = ContinuousClock.now
        return state.withLock { $0.limiter.wouldReject(priority, now: now) }
    }

    /// A request of `priority` was refused without `acquire` (after `wouldShed`): counted as rejected,
    /// and it keeps an overload going as a rejection by `acquire` would.
    public func recordShed(_ priority: Priority) {
        let now = ContinuousClock.now
        state.withLock { $0.limiter.noteShed(now: now) }
        rejected[priority]?.increment()
    }

    /// Whether a request of `priority` that `wouldShed` refuses may be answered from a cache instead:
    /// not while a higher priority waits for admission (see `AdmissionLimiter.mayAnswerFromCache`).
    public func mayAnswerFromCache(_ priority: Priority) -> Bool {
        state.withLock { $0.limiter.mayAnswerFromCache(priority) }
    }

    /// A request of `priority` that `wouldShed` refused was answered from a cache instead (no
    /// database work): counted apart from rejections, and it does not feed the limiter.
    public func recordCacheAnswer(_ priority: Priority) {
        cacheAnswered[priority]?.increment()
    }

    /// What to do with a browse read (people's or bots') now: the store's one shedding decision, which
    /// every lane asks (the event loop before a request is parsed, the router for what reaches it).
    public enum BrowseVerdict: Sendable, Equatable {
        /// Go on to `acquire`: below the limit, or refused but a cache-fill slot is free for a page the
        /// cache would keep (`acquire` may still refuse it; the caller then takes the slot or sheds it).
        case admit
        /// Answer it from the cache, with no statement (counted by the caller once answered:
        /// `recordCacheAnswer`).
        case fromCache
        /// Refuse it now: 503 `overloaded` (counted here, as `acquire` counts its rejections).
        case shed
        /// Run it as a cache fill: a slot was taken for it (`reserveFill`); give it back with
        /// `releaseCacheFill` once the page is read.
        case fill
    }

    /// The verdict on a browse read of `priority`. `cacheHolds`: the cache can answer it now;
    /// `cacheKeeps`: the cache keeps its answer once read; `fromBytes`: a cache answer costs no more
    /// than a rejection (written from bytes on the event loop), so it is given even while a higher
    /// priority waits for admission (through the router it is not: see `mayAnswerFromCache`).
    /// Below the limit (the usual case) neither closure is called.
    ///
    /// `reserveFill`: the caller can carry a cache-fill slot with the request (the event loop's product
    /// pages), so the slot is taken here (`.fill`), and a miss that finds none is shed here, at the cost
    /// of a rejection; otherwise (`.admit`) `acquire` refuses it and the caller tries for a slot then.
    public func browseVerdict(_ priority: Priority, fromBytes: Bool, reserveFill: Bool = false,
                              cacheHolds: () -> Bool, cacheKeeps: () -> Bool) -> BrowseVerdict {
        guard wouldShed(priority) else { return .admit }
        if (fromBytes || mayAnswerFromCache(priority)) && cacheHolds() { return .fromCache }
        if mayFillCache(priority) && cacheKeeps() {
            guard reserveFill else { return .admit }
            if acquireCacheFill(priority) { return .fill }
        }
        recordShed(priority)
        return .shed
    }

    /// Whether a refused request of `priority` whose answer the cache could keep (and does not hold)
    /// would find a cache-fill slot free now: only people's browsing (`.browse`) fills the cache.
    public func mayFillCache(_ priority: Priority) -> Bool {
        guard priority == .browse else { return false }
        return state.withLock { Self.fillAllowed(maximumFills, in: $0) }
    }

    /// Takes a cache-fill slot for a refused browse read that will fill the cache; `false` when
    /// none is free (it is shed). Give it back with `releaseCacheFill`. A fill runs beside the limit
    /// and gives the limiter no sample: at most `cacheFills` statements more than the limit admits.
    ///
    /// A fill uses the database capacity the limit protects, so it must not take it from buyers:
    /// while a cart or checkout waits for admission, a fill runs only on credit, earned at
    /// `cacheFillShare` of each request admission completes (a 10× surge's fills cost its buyers 14
    /// points of completed journeys when they ran whenever a slot was free).
    public func acquireCacheFill(_ priority: Priority) -> Bool {
        guard priority == .browse else { return false }
        let taken = state.withLock { state -> Bool in
            guard Self.fillAllowed(maximumFills, in: state) else { return false }
            if !state.limiter.mayAnswerFromCache(.browse) { state.fillCredit -= 1 }
            state.fills += 1
            return true
        }
        if taken { cacheFilled.increment() }
        return taken
    }

    /// A slot is free, and no buyer waits for admission or a fill is earned.
    private static func fillAllowed(_ maximumFills: Int, in state: State) -> Bool {
        state.fills < maximumFills && (state.limiter.mayAnswerFromCache(.browse) || state.fillCredit >= 1)
    }

    /// Gives back a slot `acquireCacheFill` took.
    public func releaseCacheFill() {
        state.withLock { $0.fills = max(0, $0.fills - 1) }
    }

    /// Cache fills running now.
    public var cacheFillsInFlight: Int { state.withLock { $0.fills } }

    /// Gives `permit`'s slot back while its request waits on another service (see `AdmissionScope.outside`).
    func suspend(_ permit: Permit) {
        let now = ContinuousClock.now
        state.withLock { state in Self.apply(state.limiter.suspend(priority: permit.priority, now: now), in: &state) }
    }

    /// Takes a suspended `permit`'s slot again, without waiting and above the limit if need be.
    func resume(_ permit: Permit) {
        state.withLock { $0.limiter.resume(priority: permit.priority) }
    }

    /// Returns the permit; `dropped` when the request failed for lack of capacity (deadline, pool
    /// timeout); `excluding` is time it spent suspended, left out of its latency sample.
    public func release(_ permit: Permit, dropped: Bool = false, excluding suspended: Duration = .zero) {
        let now = ContinuousClock.now
        let (limit, inFlight) = state.withLock { state -> (Int, Int) in
            let actions = state.limiter.release(priority: permit.priority, rtt: now - permit.started - suspended, dropped: dropped,
                                                inFlightAtStart: permit.inFlightAtStart, now: now)
            state.fillCredit = min(Double(maximumFills), state.fillCredit + fillShare)
            Self.apply(actions, in: &state)
            return (state.limiter.limit, state.limiter.totalInFlight)
        }
        limitGauge.record(limit)
        inFlightGauge.record(inFlight)
    }

    /// Returns the permit of a request that failed because the database is unreachable: no latency
    /// sample, and the limiter stops learning until the database has been back a while.
    public func releaseDuringOutage(_ permit: Permit) {
        let now = ContinuousClock.now
        state.withLock { state in
            state.limiter.databaseUnavailable(now: now)
            Self.apply(state.limiter.releaseWithoutSample(priority: permit.priority, now: now), in: &state)
        }
    }

    /// The database is unreachable (the breaker opened): see `GradientLimit.databaseUnavailable`.
    public func databaseUnavailable() {
        let now = ContinuousClock.now
        state.withLock { $0.limiter.databaseUnavailable(now: now) }
    }

    private func wait(id: UInt64, until deadline: ContinuousClock.Instant) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            // The queue timeout: a short-lived child, cancelled as soon as the wait ends.
            group.addTask { [self] in
                try? await Task.sleep(until: deadline)
                if !Task.isCancelled { expire() }
            }
            defer { group.cancelAll() }
            try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                    let resolved = state.withLock { state -> Parked? in
                        if let outcome = state.parked[id] {
                            state.parked[id] = nil
                            return outcome
                        }
                        state.parked[id] = .waiting(continuation)
                        return nil
                    }
                    switch resolved {
                    case .admitted: continuation.resume()
                    case .rejected: continuation.resume(throwing: Overloaded())
                    case .waiting, nil: break
                    }
                }
            } onCancel: { [self] in
                state.withLock { state in
                    if state.limiter.cancel(id: id) { Self.resolve(id, admitted: false, in: &state) }
                }
            }
        }
    }

    private func expire() {
        let now = ContinuousClock.now
        state.withLock { state in
            for id in state.limiter.expire(now: now) { Self.resolve(id, admitted: false, in: &state) }
        }
    }

    private static func apply(_ actions: AdmissionLimiter.Actions, in state: inout State) {
        for id in actions.admit { resolve(id, admitted: true, in: &state) }
        for id in actions.reject { resolve(id, admitted: false, in: &state) }
    }

    /// Resumes a parked waiter, or records the outcome for a waiter that has not parked yet.
    private static func resolve(_ id: UInt64, admitted: Bool, in state: inout State) {
        if case .waiting(let continuation) = state.parked[id] {
            state.parked[id] = nil
            if admitted { continuation.resume() } else { continuation.resume(throwing: Overloaded()) }
        } else {
            state.parked[id] = admitted ? .admitted : .rejected
        }
    }
}
