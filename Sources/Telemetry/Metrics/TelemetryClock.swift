/// Time since the telemetry started, as a `Duration`: windows and alert timers are computed from
/// it, and tests pass their own values instead.
public struct TelemetryClock: Sendable {
    private let origin: ContinuousClock.Instant

    public init() { origin = .now }

    /// Time elapsed since `init`.
    public func now() -> Duration { .now - origin }
}
