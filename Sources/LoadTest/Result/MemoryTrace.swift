/// The generator's resident memory (RSS) over a run, with bounded size: when the run outgrows
/// `maxSamples`, every other sample is dropped and the interval doubles.
public struct MemoryTrace: Codable, Sendable, Equatable {
    public static let maxSamples = 600

    /// Seconds between samples; sample `i` was taken `i × intervalSeconds` after the run start.
    public var intervalSeconds = 1
    public var residentBytes: [UInt64] = []
    /// The last sample, taken when the run ended.
    public var endBytes: UInt64 = 0
    public var endSeconds = 0.0
    public var peakBytes: UInt64 = 0

    public init() {}

    /// Records the RSS read `seconds` after the run start (a later sample in the same slot is ignored).
    public mutating func record(bytes: UInt64, atSeconds seconds: Double) {
        peakBytes = max(peakBytes, bytes)
        endBytes = bytes
        endSeconds = seconds
        var slot = Int(max(0, seconds) / Double(intervalSeconds))
        while slot >= Self.maxSamples {
            residentBytes = residentBytes.enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
            intervalSeconds *= 2
            slot = Int(max(0, seconds) / Double(intervalSeconds))
        }
        if slot >= residentBytes.count {
            let last = residentBytes.last ?? bytes
            while residentBytes.count < slot { residentBytes.append(last) }
            residentBytes.append(bytes)
        }
    }

    /// The sample at (or just after) `seconds` into the run, if the run lasted that long.
    public func bytes(atSeconds seconds: Int) -> UInt64? {
        let slot = (seconds + intervalSeconds - 1) / intervalSeconds
        return slot < residentBytes.count ? residentBytes[slot] : nil
    }

    /// RSS growth from `baselineSeconds` into the run to its end, in percent; nil for a shorter run.
    public func growthPercent(afterSeconds baselineSeconds: Int = 60) -> Double? {
        guard endSeconds > Double(baselineSeconds), let baseline = bytes(atSeconds: baselineSeconds), baseline > 0 else { return nil }
        return (Double(endBytes) - Double(baseline)) / Double(baseline) * 100
    }
}
