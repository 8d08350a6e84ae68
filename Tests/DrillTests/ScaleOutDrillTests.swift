import Database
import Foundation
import Logging
import Testing
@testable import Drill

/// The scale-out drills end to end on their own cluster (`surge cluster up`'s parts: HAProxy, two
/// `surge serve` processes of the built executable, a primary and a streaming replica), with a tiny
/// catalog and a short surge. They start real processes and time the doctor against a live load, so
/// they run in README's second process: `SURGE_SOLO_TESTS=1 swift test --filter ScaleOutDrillTests`.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["SURGE_SOLO_TESTS"] != nil,
                             "runs in its own process: SURGE_SOLO_TESTS=1 swift test --filter ScaleOutDrillTests"))
struct ScaleOutDrillTests {
    static func shortDrill(_ drill: DrillName) throws -> DrillOptions {
        let surge = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("surge").path
        try #require(FileManager.default.isExecutableFile(atPath: surge), "build the surge executable first (swift build): \(surge)")
        var options = DrillOptions(drill: drill, environment: .privateServer(osUser: "postgres"))
        options.surgeExecutable = surge
        options.shorten(products: 2000, holdSeconds: 8, afterSeconds: 2, firstBurstSeconds: 5)
        return options
    }

    static var leftovers: [String] {
        let prefix = "surge-drill-cluster-\(getpid())-"
        return ((try? FileManager.default.contentsOfDirectory(atPath: NSTemporaryDirectory())) ?? []).filter { $0.hasPrefix(prefix) }
    }

    static var logger: Logger {
        var logger = Logger(label: "surge.tests.scale-out-drill")
        logger.logLevel = .error
        return logger
    }

    /// The replica stops replaying: the store reads the catalog from the primary, the doctor names the
    /// lag from the store's own measure, replay resumes, and the second surge runs on the caught-up replica.
    @Test func replicaLagIsNamedAndReplayResumed() async throws {
        let report = try await DrillRunner.run(try Self.shortDrill(.replicaLag), logger: Self.logger)
        #expect(report.mode == "cluster")
        #expect(report.injected == "on the replica: SELECT pg_wal_replay_pause()")
        #expect(report.detection.named, "\(report.detection)")
        #expect(report.detection.cause == "replication_lag")
        #expect(report.detection.object?.contains("replica-1") == true)
        #expect(report.detection.fixes.first?.contains("pg_wal_replay_resume()") == true)
        #expect(report.removed == "on the replica: SELECT pg_wal_replay_resume()")
        #expect(report.before.requests > 0 && (report.after?.requests ?? 0) > 0)
        #expect(report.before.profile == "guarded cluster")
        let steps = report.timeline.map(\.step)
        for step in ["database", "store", "inject", "surge", "doctor", "impact", "fix", "verdict"] { #expect(steps.contains(step), "\(steps)") }
        #expect(steps.last == "cleanup")
        #expect(Self.leftovers.isEmpty, "the cluster's directory is removed: \(Self.leftovers)")
    }

    /// One of two instances is killed mid-sale: HAProxy takes it out, the other serves, and users'
    /// journeys go on; the fix starts it again and the second surge runs on both.
    @Test func anInstanceDiesMidSaleAndTheOtherServes() async throws {
        let options = try Self.shortDrill(.instanceDies)
        let report = try await DrillRunner.run(options, logger: Self.logger)
        #expect(report.injected?.hasPrefix("SIGKILL of store instance 1") == true, "\(report.injected ?? "")")
        #expect(report.detection.expected.isEmpty)
        #expect(report.removed?.hasPrefix("store instance 1 started again") == true, "\(report.removed ?? "")")
        // The surge went on after the kill: requests answered in the seconds after it.
        let kill = try #require(report.timeline.first { $0.step == "inject" }?.atSeconds)
        let surgeStart = try #require(report.timeline.first { $0.step == "surge" }?.atSeconds)
        let afterKill = report.before.timeline.filter { $0.second >= kill - surgeStart + 1 }
        #expect(!afterKill.isEmpty)
        #expect(afterKill.contains { $0.goodputPerSecond > 0 }, "\(report.before.timeline)")
        #expect(report.before.checkoutRequests > 0)
        #expect((report.after?.buyJourneys ?? 0) > 0)
        #expect(report.passed == report.objectives.allSatisfy(\.heldAfter))
        #expect(report.timeline.map(\.step).last == "cleanup")
        #expect(Self.leftovers.isEmpty, "the cluster's directory is removed: \(Self.leftovers)")
    }
}
