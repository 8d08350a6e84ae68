import Database
import Foundation
import Logging
import Testing
import TestSupport
@testable import Drill

/// The postmortem drill end to end on a tiny catalog and a short surge: the store (naive), the index
/// dropped, the surge, the doctor, the advisor's migration, the guarded store, the surge again.
/// It times the doctor against a live load on the server's CPU, which the parallel suite's other tests
/// disturb, so it runs in README's second process: `SURGE_SOLO_TESTS=1 swift test --filter PostmortemDrillTests`.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["SURGE_SOLO_TESTS"] != nil,
                             "runs in its own process: SURGE_SOLO_TESTS=1 swift test --filter PostmortemDrillTests"))
struct PostmortemDrillTests {
    static func shortDrill(_ url: DatabaseURL) -> DrillOptions {
        var options = DrillOptions(drill: .postmortem, environment: .database(url))
        // ~12,000 variants: above the doctor's 10,000-row "large table", seeded in about a second.
        options.shorten(products: 5000, holdSeconds: 6, afterSeconds: 1, firstBurstSeconds: 4)
        return options
    }

    @Test func postmortemReportsTheFaultTheDiagnosisTheFixAndBothSurges() async throws {
        var logger = Logger(label: "surge.tests.drill")
        logger.logLevel = .error
        try await TestPostgres.withFreshDatabase { _, url in
            let report = try await DrillRunner.run(Self.shortDrill(url), logger: logger)

            #expect(report.drill == "postmortem")
            #expect(report.injected?.hasPrefix("DROP INDEX IF EXISTS variants_product_idx") == true)
            // The doctor named the missing index on variants, and the time it took is in the report.
            #expect(report.detection.named, "\(report.detection)")
            #expect(report.detection.cause == "missing_index")
            #expect(report.detection.object?.hasPrefix("variants for ") == true)
            #expect(report.secondsToDetect.map { $0 > 0 } == true)
            // The advisor's migration, applied: an index on variants (product_id), built concurrently.
            let applied = report.fix?.applied ?? []
            #expect(applied.contains { $0.hasPrefix("CREATE INDEX CONCURRENTLY") && $0.contains("variants") && $0.contains("product_id") },
                    "\(applied)")
            #expect(report.fix?.advice?.contains("CREATE INDEX CONCURRENTLY") == true)
            #expect(report.fix?.actions.contains { $0.contains("guarded profile") } == true)
            // Both surges ran, against the naive store and then the guarded one.
            #expect(report.before.profile == "naive")
            #expect(report.after?.profile == "guarded")
            #expect(report.before.buyJourneys > 0 && (report.after?.buyJourneys ?? 0) > 0)
            #expect(report.before.requests > 0 && (report.after?.requests ?? 0) > 0)
            #expect(!report.before.timeline.isEmpty && !(report.after?.timeline.isEmpty ?? true))
            #expect(report.objectives.map(\.name) == ["checkout completion", "add-to-cart completion", "checkout p99"])
            #expect(report.objectives.allSatisfy { $0.after != nil })
            #expect(report.passed == report.objectives.allSatisfy(\.heldAfter))
            // The timeline has every step, in order.
            let steps = report.timeline.map(\.step)
            for (earlier, later) in zip(["inject", "store", "surge", "doctor", "impact", "advise", "migrate", "protect"],
                                        ["store", "surge", "doctor", "impact", "advise", "migrate", "protect", "verdict"]) {
                let first = try #require(steps.firstIndex(of: earlier), "\(steps)")
                #expect(steps.lastIndex(of: later).map { $0 > first } == true, "\(earlier) before \(later) in \(steps)")
            }
            #expect(steps.last == "cleanup")

            // The database is left as the fix made it: the index is there.
            let indexed = try await AdminSession.with(url, logger: logger) { try await IndexFix.variantsIndexed($0) }
            #expect(indexed)

            // The postmortem: self-contained HTML with its charts, and JSON that reads back.
            let html = DrillHTML.render(report)
            #expect(html.contains("<svg") && html.contains("Timeline") && html.contains("Root cause"))
            #expect(!html.contains("src=") && !html.contains("<script") && !html.contains("<link"))
            let data = try JSONEncoder().encode(report)
            #expect(try JSONDecoder().decode(DrillReport.self, from: data) == report)
            #expect(DrillText.render(report).contains("checkout completion"))
        }
    }
}

extension DrillOptions {
    /// A drill the suite can afford: a small catalog, 10 journeys/s, a surge of a few seconds with one
    /// burst, the doctor looking in 1 s windows.
    mutating func shorten(products: Int, holdSeconds: Int, afterSeconds: Int, firstBurstSeconds: Int) {
        self.products = products
        ratePerSecond = 10
        surge.beforeSeconds = 2
        surge.rampSeconds = 1
        surge.holdSeconds = holdSeconds
        surge.afterSeconds = afterSeconds
        surge.bursts = 1
        surge.burstSecondsOfRate = 2
        surge.firstBurstSeconds = firstBurstSeconds
        doctorWindow = .seconds(1)
    }
}
