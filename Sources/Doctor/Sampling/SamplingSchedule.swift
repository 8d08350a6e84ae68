/// When the sampler takes the next `pg_stat_activity` sample: at the start, then every interval,
/// until the window is over and at least two samples exist. A value driven by elapsed time, so it
/// is tested without sleeping.
public struct SamplingSchedule: Sendable, Equatable {
    public enum Action: Sendable, Equatable {
        case sample
        case wait(Duration)
        case finish
    }

    public let window: Duration
    public let interval: Duration
    public private(set) var taken = 0
    /// When the next sample is due; a slot missed because sampling was slow is skipped, not caught up.
    private var nextDue = Duration.zero

    public init(window: Duration, interval: Duration) {
        self.window = window
        self.interval = max(interval, .milliseconds(10))
    }

    /// The action at `elapsed` since the window started; `.sample` counts as taken. Samples fall on
    /// the interval's slots from 0 to the window's end inclusive, and there are always at least two.
    public mutating func next(elapsed: Duration) -> Action {
        if taken >= 2 && elapsed >= window && nextDue > window { return .finish }
        if elapsed >= nextDue {
            taken += 1
            nextDue = interval * (Int(elapsed / interval) + 1)
            return .sample
        }
        // Never wait past the window's end once two samples exist.
        let until = taken >= 2 ? min(nextDue, window) : nextDue
        return .wait(until - elapsed)
    }
}
