// This file imports only `Histogram`: swift-prometheus also defines a `Histogram` (see STACK-NOTES).
import Histogram

/// An HDR histogram of durations (microsecond resolution, 2 significant digits, up to one hour).
struct LatencyHistogram: Sendable {
    private typealias HDR = Histogram<UInt64>
    private static let highestMicroseconds: UInt64 = 3_600_000_000
    private var hdr = HDR(lowestDiscernibleValue: 1, highestTrackableValue: highestMicroseconds, numberOfSignificantValueDigits: .two)

    var count: UInt64 { hdr.totalCount }

    mutating func record(_ duration: Duration) {
        let microseconds = max(1, min(Self.highestMicroseconds, UInt64(clamping: duration.microseconds)))
        _ = hdr.record(microseconds)
    }

    mutating func add(_ other: LatencyHistogram) { hdr.add(other.hdr) }

    mutating func reset() { hdr.reset() }

    /// The value at `percentile` (0–100) in milliseconds; 0 when empty.
    func milliseconds(atPercentile percentile: Double) -> Double {
        guard hdr.totalCount > 0 else { return 0 }
        return Double(hdr.valueAtPercentile(percentile)) / 1000
    }
}

extension Duration {
    /// Whole microseconds, rounded down.
    var microseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000 + attoseconds / 1_000_000_000_000
    }

    /// Milliseconds as a floating-point number.
    var millisecondsDouble: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }
}
