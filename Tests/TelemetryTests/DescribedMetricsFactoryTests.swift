import CoreMetrics
import Foundation
import Logging
@testable import Telemetry
import Testing

/// The store's swift-metrics series (Guard, Database) carry HELP text on `GET /metrics`, so the real
/// scrape passes `promtool check metrics`.
@Suite struct DescribedMetricsFactoryTests {
    /// Every `label: "surge_…"` written in Sources has an entry in `DescribedMetricsFactory.help`.
    @Test func everyStoreLabelHasHelpText() throws {
        let sources = URL(fileURLWithPath: Tool.repositoryRoot).appendingPathComponent("Sources")
        let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)?
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" } ?? []
        let pattern = try Regex(#"label: "(surge_[a-z0-9_]+)""#)
        var labels: Set<String> = []
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            for match in text.matches(of: pattern) {
                if let label = match.output[1].substring { labels.insert(String(label)) }
            }
        }
        #expect(labels.count >= 12, "found \(labels.sorted())")
        let missing = labels.subtracting(DescribedMetricsFactory.help.keys)
        #expect(missing.isEmpty, "no HELP text for \(missing.sorted())")
    }

    @Test func storeSeriesPassPromtoolAndOthersStillAppear() async throws {
        let telemetry = Telemetry(configuration: .init(adminToken: "t"), logger: Logger(label: "test"))
        let factory = telemetry.metricsFactory
        CoreMetrics.Counter(label: "surge_cache_hits_total", dimensions: [("cache", "products")], factory: factory).increment(by: 2)
        CoreMetrics.Counter(label: "surge_cache_hits_total", dimensions: [("cache", "listings")], factory: factory).increment()
        CoreMetrics.Gauge(label: "surge_db_pipeline_connections", factory: factory).record(2)
        CoreMetrics.Meter(label: "surge_admission_in_flight", factory: factory).set(3)
        let text = telemetry.prometheusText()
        #expect(text.contains("# HELP surge_cache_hits_total Catalog cache lookups answered from the cache, by cache."))
        #expect(text.contains(#"surge_cache_hits_total{cache="products"} 2"#))
        #expect(text.contains("# HELP surge_db_pipeline_connections "))
        #expect(text.contains("surge_db_pipeline_connections 2"))
        #expect(text.contains("# HELP surge_admission_in_flight "))
        let promtool = try Tool.locate("promtool", package: "prometheus")
        let check = try await Tool.run(promtool, ["check", "metrics"], input: text)
        #expect(check.succeeded, "promtool check metrics: \(check.output) \(check.error)")
        // Another library's series still goes through, without HELP.
        CoreMetrics.Counter(label: "other_library_total", factory: factory).increment()
        #expect(telemetry.prometheusText().contains("other_library_total 1"))
    }
}
