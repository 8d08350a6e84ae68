import Foundation
import Reproducible

/// One arrival of the open model: its global index and intended start, in nanoseconds from the phase start.
public struct Arrival: Sendable, Equatable {
    public var index: Int
    public var offsetNanos: Int64

    public init(index: Int, offsetNanos: Int64) {
        self.index = index
        self.offsetNanos = offsetNanos
    }
}

/// Which share of a phase's arrivals this process (segment `i/n`) and this event loop (`worker/workers`) run.
///
/// Arrival `k` belongs to segment `k mod n`; within a segment, arrivals are dealt round-robin to workers.
/// Every segment computes the same global sequence, so the slices of all segments add up to the whole run.
public struct ArrivalSlice: Sendable, Equatable {
    public var segmentIndex: Int
    public var segmentCount: Int
    public var worker: Int
    public var workers: Int

    public init(segmentIndex: Int = 0, segmentCount: Int = 1, worker: Int = 0, workers: Int = 1) {
        self.segmentIndex = segmentIndex
        self.segmentCount = segmentCount
        self.worker = worker
        self.workers = workers
    }

    public static let whole = ArrivalSlice()

    @inline(__always)
    func contains(_ index: Int) -> Bool {
        index % segmentCount == segmentIndex && (index / segmentCount) % workers == worker
    }
}

/// The intended start times of an open-model phase: a pure value, no clock, no I/O.
///
/// Deterministic arrivals put arrival `k` where the integral of the rate reaches `k`; Poisson arrivals
/// add exponential gaps (mean 1 in integral space) drawn from a seeded generator, so the mean rate
/// follows the profile and a run replays exactly.
public struct ArrivalSchedule: Sendable {
    public let profile: RateProfile
    public let slice: ArrivalSlice
    private var random: SplitMix64?
    private var nextIndex = 0
    /// Integral of the rate (in arrivals) at which the next arrival happens.
    private var nextLevel = 0.0
    private var stageIndex = 0
    private var stageStartNanos: Int64 = 0
    private var stageStartLevel = 0.0
    private var stageFromRate: Double

    /// - Parameters:
    ///   - poissonSeed: nil for evenly spaced arrivals; a seed for Poisson arrivals.
    public init(profile: RateProfile, poissonSeed: UInt64? = nil, slice: ArrivalSlice = .whole) {
        self.profile = profile
        self.slice = slice
        stageFromRate = profile.startRate
        if let poissonSeed {
            var random = SplitMix64(seed: poissonSeed)
            nextLevel = -log(random.unitInterval())
            self.random = random
        }
    }

    /// The next arrival of this slice, or nil when the profile is over.
    public mutating func next() -> Arrival? {
        while let arrival = nextGlobal() {
            if slice.contains(arrival.index) { return arrival }
        }
        return nil
    }

    /// The next arrival of the whole phase, whichever slice it belongs to.
    mutating func nextGlobal() -> Arrival? {
        while stageIndex < profile.stages.count {
            let stage = profile.stages[stageIndex]
            let r0 = stageFromRate
            let r1 = stage.targetRate
            let seconds = Double(stage.durationNanos) / 1e9
            let stageArrivals = seconds * (r0 + r1) / 2
            let target = nextLevel - stageStartLevel
            if target < stageArrivals, seconds > 0 {
                // Solve r0·t + a·t²/2 = target for t, in the form that is stable when a → 0.
                let slope = (r1 - r0) / seconds
                let root = (r0 * r0 + 2 * slope * target).squareRoot()
                let t = r0 + root > 0 ? 2 * target / (r0 + root) : 0
                let offset = stageStartNanos + min(Int64(t * 1e9), stage.durationNanos - 1)
                let arrival = Arrival(index: nextIndex, offsetNanos: offset)
                nextIndex += 1
                if var random {
                    nextLevel += -log(random.unitInterval())
                    self.random = random
                } else {
                    nextLevel += 1
                }
                return arrival
            }
            stageStartLevel += stageArrivals
            stageStartNanos += stage.durationNanos
            stageFromRate = r1
            stageIndex += 1
        }
        return nil
    }
}
