/// One step of the ramp: an open-model arrival rate, or a closed-loop concurrency.
public enum RampLevel: Sendable, Equatable {
    /// Journeys started per second on a schedule, whatever the target's latency (open model).
    case rate(Double)
    /// Users each starting the next journey when the last one ends (closed model).
    case concurrency(Int)
    /// `users` closed-loop users working back to back for `share` of every period (`--paced-period`, 1 s), idle for the rest: a
    /// fraction of the peak's load, in the peak's regime (one more user than the server has cores, so
    /// that while they work the server never idles between requests).
    case paced(share: Double, users: Int)
}

/// The open-model rate steps that run before the closed-loop ones.
public enum RateSteps: Sendable, Equatable {
    /// These rates, in journeys per second, in order.
    case fixed([Double])
    /// From `start` per second, doubling, and landing on the stop fraction (default 0.5) of the peak
    /// predicted so far (the demand bound capping the USL fit), at most `maximumSteps` steps.
    case automatic(start: Double, maximumSteps: Int)
}
