import Foundation
import Telemetry

/// One scrape of the store's `/metrics`, parsed by Telemetry's `PrometheusText` and stamped with
/// when in the window it was answered.
public struct StoreMetrics: Sendable, Codable, Equatable {
    public typealias Sample = PrometheusText.Sample

    public var samples: [Sample]
    /// Seconds since the window started when the scrape was answered (the store's own interval).
    public var at: Double = 0

    public init(samples: [Sample], at: Double = 0) {
        self.samples = samples
        self.at = at
    }

    /// Parses the text exposition format; lines it cannot read are skipped.
    public init(text: String) {
        self.samples = PrometheusText(text).samples
    }

    /// The sum of every sample named `name` whose labels include `matching`.
    public func sum(_ name: String, _ matching: [String: String] = [:]) -> Double? {
        PrometheusText(samples: samples).sum(name, matching: matching)
    }

    /// Distinct values of `label` among samples named `name`.
    public func labelValues(_ name: String, _ label: String) -> [String] {
        PrometheusText(samples: samples).labelValues(name, label)
    }
}
