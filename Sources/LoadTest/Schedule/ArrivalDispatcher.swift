/// Decides, at a given time, whether the next arrival starts, is dropped, or the caller must wait.
///
/// A state machine with an injected clock: the caller passes the current time (nanoseconds from the
/// phase start) and the number of arrivals in flight, and executes the returned action. Nothing is
/// omitted: an arrival that finds `maxInFlight` arrivals in flight is returned as `.drop`.
public struct ArrivalDispatcher: Sendable {
    public enum Action: Sendable, Equatable {
        /// Start this arrival now; `lagNanos` is how late that is compared with its intended start.
        case start(Arrival, lagNanos: Int64)
        /// The concurrency cap is reached: count this arrival as dropped.
        case drop(Arrival, lagNanos: Int64)
        /// Nothing is due before this time (nanoseconds from the phase start).
        case wait(untilNanos: Int64)
        /// The schedule is exhausted (or the request bound is reached).
        case finished
    }

    private var schedule: ArrivalSchedule
    private var pending: Arrival?
    private var emitted = 0
    public let maxInFlight: Int
    public let maxArrivals: Int

    public init(schedule: ArrivalSchedule, maxInFlight: Int, maxArrivals: Int = .max) {
        self.schedule = schedule
        self.maxInFlight = maxInFlight
        self.maxArrivals = maxArrivals
        pending = nil
    }

    /// The action for `nowNanos` when `inFlight` arrivals are running.
    public mutating func next(nowNanos: Int64, inFlight: Int) -> Action {
        guard emitted < maxArrivals else { return .finished }
        if pending == nil { pending = schedule.next() }
        guard let arrival = pending else { return .finished }
        guard arrival.offsetNanos <= nowNanos else { return .wait(untilNanos: arrival.offsetNanos) }
        pending = nil
        emitted += 1
        let lag = nowNanos - arrival.offsetNanos
        return inFlight >= maxInFlight ? .drop(arrival, lagNanos: lag) : .start(arrival, lagNanos: lag)
    }
}
