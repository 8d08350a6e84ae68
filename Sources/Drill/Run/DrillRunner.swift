import Database
import Doctor
import Foundation
import LoadTest
import Logging
import PostgresNIO
import Storefront
import Synchronization

/// What a running drill reports as it goes.
public enum DrillProgress: Sendable {
    /// A step of the drill began or ended (the timeline's entry).
    case step(DrillReport.Event)
    /// The surge's live figures, for a progress line.
    case load(LiveSnapshot, elapsedSeconds: Double, totalSeconds: Double)
}

/// Runs a drill: the store in the incident's "before" state, the fault, the surge, the doctor timed
/// until it names the cause, the fix (the advisor's migration, or the doctor's FIX), protection on,
/// the same surge again, and the postmortem.
///
/// Everything the drill starts (the private PostgreSQL, the store, the fault's sessions) is stopped
/// before `run` returns or throws, cancellation (Ctrl-C) included; a watchdog stops the private server
/// even if the process is killed.
public enum DrillRunner {
    public static func run(_ options: DrillOptions, logger: Logger,
                           progress: @escaping @Sendable (DrillProgress) -> Void = { _ in }) async throws -> DrillReport {
        let drill = options.drill
        let ownStore: Bool
        switch options.environment {
        case .target(let store, let database, _):
            if drill.needsOwnStore { throw DrillError.needsOwnStore(drill) }
            if drill.needsPrivateServer { throw DrillError.needsPrivateServer(drill) }
            try await TargetProbe.check(store)
            // An unreachable or refusing database is the user's to fix, said in one line, before any traffic.
            try await DoctorSession.with(database, logger: logger) { _ in }
            ownStore = false
        case .database:
            if drill.needsPrivateServer { throw DrillError.needsPrivateServer(drill) }
            ownStore = true
        case .privateServer:
            ownStore = true
        }
        let timeline = DrillTimeline(progress: progress)
        let resources = Resources()
        do {
            var report = try await run(options, ownStore: ownStore, timeline: timeline, resources: resources, logger: logger, progress: progress)
            // Not cancelled even when the drill was: the cleanup must run to the end.
            await Task { await resources.cleanUp(timeline) }.value
            report.timeline = timeline.events
            report.totalSeconds = timeline.elapsed
            return report
        } catch {
            await Task { await resources.cleanUp(timeline) }.value
            throw error
        }
    }

    private static func run(_ options: DrillOptions, ownStore: Bool, timeline: DrillTimeline, resources: Resources, logger: Logger,
                            progress: @escaping @Sendable (DrillProgress) -> Void) async throws -> DrillReport {
        let startedAt = ISO8601DateFormatter().string(from: Date())
        let url: DatabaseURL
        var mode = "private"
        switch options.environment {
        case .privateServer(let osUser) where options.drill.needsCluster:
            guard let surge = options.surgeExecutable ?? DrillCluster.ownExecutable() else { throw DrillError.needsSurgeExecutable(options.drill) }
            timeline.note("database", "starting a private primary and a streaming replica (as surge cluster up does)")
            let cluster = try await DrillCluster.start(osUser: osUser, surgeExecutable: surge, logger: logger)
            resources.set(cluster: cluster)
            url = try cluster.primaryURL()
            mode = "cluster"
        case .privateServer(let osUser):
            timeline.note("database", "starting a private PostgreSQL (as surge serve does)")
            let server = try await PrivateServer.start(osUser: osUser, logger: logger)
            resources.set(server: server)
            url = try server.url()
        case .database(let given):
            mode = "database"
            url = given
        case .target(_, let given, _):
            mode = "target"
            url = given
        }
        return try await AdminSession.with(url, logger: logger) { admin in
            try await drive(options, ownStore: ownStore, mode: mode, startedAt: startedAt, url: url, admin: admin,
                            timeline: timeline, resources: resources, logger: logger, progress: progress)
        }
    }

    private static func drive(_ options: DrillOptions, ownStore: Bool, mode: String, startedAt: String, url: DatabaseURL, admin: Database,
                              timeline: DrillTimeline, resources: Resources, logger: Logger,
                              progress: @escaping @Sendable (DrillProgress) -> Void) async throws -> DrillReport {
            let drill = options.drill
            if ownStore {
                timeline.note("store", "migrating and seeding \(options.products) products")
                // Nothing seeded sold out: a journey that fails then fails for the incident, not for the catalog.
                try await StoreSetup.prepare(admin, .init(seedProducts: options.products, seed: 42, createStatementStatistics: true, quiet: true,
                                                          soldOutShare: 0), logger: logger)
                _ = try? await admin.query("CREATE EXTENSION IF NOT EXISTS hypopg")
            }
            let payment = PaymentDial()
            var restart: (@Sendable (Duration) async throws -> Void)?
            if let server = resources.server {
                restart = { downtime in try await server.restart(downtime: downtime) }
            }
            let context = FaultContext(url: url, admin: admin, payment: payment, restartServer: restart, cluster: resources.cluster,
                                       products: options.products, logger: logger)
            let fault = drill.makeFault()
            let injects: Bool
            if case .target(_, _, let inject) = options.environment { injects = inject } else { injects = true }
            let midSurge = drill == .postgresRestart || drill == .cacheStampede || drill == .instanceDies
            var injected: String?
            if injects {
                resources.set(fault: fault, context: context)
                if !midSurge {
                    injected = try await fault.inject(context)
                    timeline.note("inject", injected ?? "")
                }
            } else {
                timeline.note("inject", "nothing injected (a deployment you own; --inject to inject \(drill.title))")
            }
            // The store, in the incident's "before" state.
            var store: StoreInstance?
            let target: URL
            switch options.environment {
            case .target(let storeURL, _, _):
                target = storeURL
            case .privateServer where resources.cluster != nil:
                guard let cluster = resources.cluster else { throw DrillError.storeDidNotStart }
                try await cluster.serve()
                target = cluster.baseURL
                timeline.note("store", "HAProxy at \(cluster.baseURL.absoluteString) → \(cluster.instances.count) surge serve processes (guarded) → "
                              + "the primary, catalog reads on the streaming replica")
            default:
                let started = try await StoreInstance.start(url: url, profile: drill.profileBefore, payment: payment, logger: logger)
                resources.set(store: started)
                store = started
                target = started.baseURL
                timeline.note("store", "store running, \(drill.profileBefore.rawValue) profile, at \(started.baseURL.absoluteString)")
            }
            // This database's statements only: the server may be shared (a --database-url, the test server).
            if ownStore { _ = try? await admin.query("SELECT pg_stat_statements_reset(0, (SELECT oid FROM pg_database WHERE datname = current_database()), 0)") }
            let plan = try Surge.plan(target: target, options: options, products: options.products)
            let total = Double(plan.durationNanos) / 1e9

            // The surge, the doctor beside it, and a fault that strikes mid-sale.
            timeline.note("surge", String(format: "flash sale: %g journeys/s, %gx from %ds, %d bursts of %d buyers", options.ratePerSecond,
                                          options.surge.multiplier, options.surge.beforeSeconds + options.surge.rampSeconds,
                                          options.surge.bursts, max(1, Int((options.ratePerSecond * options.surge.burstSecondsOfRate).rounded()))))
            let surgeStart = ContinuousClock.now
            let loadProgress: @Sendable (LiveSnapshot, Double) -> Void = { snapshot, elapsed in
                progress(.load(snapshot, elapsedSeconds: elapsed, totalSeconds: total))
            }
            async let surgeResult = Surge.run(plan, options: options, progress: loadProgress)
            async let lateInjection: String? = {
                guard injects && midSurge else { return nil }
                try await Task.sleep(for: .seconds(options.holdStartSeconds))
                let done = try await fault.inject(context)
                timeline.note("inject", done)
                return done
            }()
            let metrics = URL(string: target.absoluteString + "/metrics")
            let detection = await Detector.detect(url, storeMetrics: metrics, window: options.doctorWindow, expected: drill.expectedCauses,
                                                  surgeStart: surgeStart, until: surgeStart + .seconds(total), logger: logger)
            if let line = detection.diagnosis {
                timeline.note("doctor", (detection.named ? "named the cause: " : "did not name \(drill.title): ") + line)
            }
            let beforeResult = try await surgeResult
            if let late = try await lateInjection { injected = late }
            let surgeEnd = ContinuousClock.now
            let before = SurgeFigures(beforeResult, profile: store?.profile.rawValue ?? (resources.cluster != nil ? "guarded cluster" : "your store"))
            timeline.note("impact", impactLine(before))

            guard ownStore else {
                // A deployment the user owns: no fix is applied there; the fault (if injected) is removed.
                return report(options, mode: mode, startedAt: startedAt, injected: injected, removed: nil, before: before, after: nil,
                              detection: detection, fix: nil, timeline: timeline, resolveSeconds: nil)
            }

            // The fix.
            let fixStart = ContinuousClock.now
            var fix = DrillReport.Fix(advice: nil, applied: [], actions: [], profileAfter: StoreProfile.guarded.rawValue)
            if drill == .postmortem {
                timeline.note("advise", "surge advise on the surge's pg_stat_statements (HypoPG costs)")
                let outcome = try await IndexFix.adviseAndApply(admin, doctorFixes: detection.fixes)
                fix.advice = outcome.migration
                fix.applied = outcome.applied
                timeline.note("migrate", outcome.applied.joined(separator: "; ").isEmpty ? "nothing to apply" : outcome.applied.joined(separator: "; "))
            } else {
                for statement in detection.fixes.compactMap(terminateStatement) {
                    _ = try? await admin.query("SELECT pg_terminate_backend(\(statement.pid))")
                    fix.applied.append(statement.sql)
                    timeline.note("fix", statement.sql + "  -- the doctor's FIX")
                }
            }
            let removed = try await resources.removeFault()
            if let removed {
                fix.actions.append("fault removed: \(removed)")
                timeline.note("fix", "fault removed: \(removed)")
            }
            if let store, store.profile != .guarded {
                await store.stop()
                resources.set(store: nil)
                let guarded = try await StoreInstance.start(url: url, profile: .guarded, payment: payment, logger: logger)
                resources.set(store: guarded)
                fix.actions.append("store restarted with the guarded profile (admission control, bounded pool, deadlines, cache)")
                timeline.note("protect", "guarded profile on at \(guarded.baseURL.absoluteString)")
            }
            let resolved = ContinuousClock.now
            let afterTarget = resources.store?.baseURL ?? target
            let afterPlan = try Surge.plan(target: afterTarget, options: options, products: options.products)
            timeline.note("surge", "the same flash sale again, fix in place")
            let afterResult = try await Surge.run(afterPlan, options: options, progress: loadProgress)
            let after = SurgeFigures(afterResult, profile: resources.cluster != nil ? "guarded cluster" : StoreProfile.guarded.rawValue)
            timeline.note("impact", impactLine(after))
            let resolve = detection.secondsToDetect.map { $0 + (resolved - fixStart).seconds + (fixStart - surgeEnd).seconds }
            return report(options, mode: mode, startedAt: startedAt, injected: injected, removed: removed, before: before, after: after,
                          detection: detection, fix: fix, timeline: timeline, resolveSeconds: resolve)
    }

    static func impactLine(_ figures: SurgeFigures) -> String {
        String(format: "%@: checkout completion %.1f%%, add-to-cart %.1f%%, checkout p99 %.0f ms, goodput %.0f/s, errors %.1f%%",
               figures.profile.hasSuffix("store") || figures.profile.hasSuffix("cluster") ? figures.profile : figures.profile + " store",
               figures.checkoutCompletionPercent, figures.addToCartCompletionPercent, figures.checkoutP99Milliseconds,
               figures.goodputPerSecond, figures.errorPercent)
    }

    /// `SELECT pg_terminate_backend(123);  -- …` → pid 123.
    static func terminateStatement(_ fix: String) -> (pid: Int, sql: String)? {
        guard fix.hasPrefix("SELECT pg_terminate_backend("), let close = fix.firstIndex(of: ")") else { return nil }
        let digits = fix[fix.index(fix.startIndex, offsetBy: "SELECT pg_terminate_backend(".count)..<close]
        guard let pid = Int(digits) else { return nil }
        return (pid, "SELECT pg_terminate_backend(\(pid))")
    }

    static func report(_ options: DrillOptions, mode: String, startedAt: String, injected: String?, removed: String?,
                       before: SurgeFigures, after: SurgeFigures?, detection: DrillReport.Detection, fix: DrillReport.Fix?,
                       timeline: DrillTimeline, resolveSeconds: Double?) -> DrillReport {
        let objectives = Objectives.check(options.objectives, before: before, after: after)
        let judged = after == nil ? objectives.allSatisfy(\.heldBefore) : objectives.allSatisfy(\.heldAfter)
        timeline.note("verdict", judged ? "every objective held\(after == nil ? "" : " after the fix")" : "objectives missed: " +
                      objectives.filter { after == nil ? !$0.heldBefore : !$0.heldAfter }.map(\.name).joined(separator: ", "))
        return DrillReport(
            drill: options.drill.rawValue, title: options.drill.title, summary: options.drill.summary, startedAt: startedAt, mode: mode,
            products: mode == "target" ? nil : options.products, ratePerSecond: options.ratePerSecond, surgeMultiplier: options.surge.multiplier,
            injected: injected, removed: removed, before: before, after: after, detection: detection, fix: fix,
            objectives: objectives, timeline: timeline.events, secondsToDetect: detection.secondsToDetect, secondsToResolve: resolveSeconds,
            totalSeconds: timeline.elapsed, passed: judged)
    }
}

/// The drill's timestamped steps.
final class DrillTimeline: Sendable {
    private let start = ContinuousClock.now
    private let recorded = Mutex<[DrillReport.Event]>([])
    private let progress: @Sendable (DrillProgress) -> Void

    init(progress: @escaping @Sendable (DrillProgress) -> Void) { self.progress = progress }

    var elapsed: Double { (ContinuousClock.now - start).seconds }
    var events: [DrillReport.Event] { recorded.withLock { $0 } }

    func note(_ step: String, _ detail: String) {
        let event = DrillReport.Event(atSeconds: (elapsed * 10).rounded() / 10, step: step, detail: detail)
        recorded.withLock { $0.append(event) }
        progress(.step(event))
    }
}

/// What the drill started, to stop whatever happens.
final class Resources: Sendable {
    private struct State {
        var server: PrivateServer?
        var cluster: DrillCluster?
        var store: StoreInstance?
        var fault: (any Fault)?
        var context: FaultContext?
    }
    private let state = Mutex(State())

    var server: PrivateServer? { state.withLock { $0.server } }
    var cluster: DrillCluster? { state.withLock { $0.cluster } }
    func set(cluster: DrillCluster?) { state.withLock { $0.cluster = cluster } }
    var store: StoreInstance? { state.withLock { $0.store } }
    func set(server: PrivateServer?) { state.withLock { $0.server = server } }
    func set(store: StoreInstance?) { state.withLock { $0.store = store } }
    func set(fault: any Fault, context: FaultContext) { state.withLock { $0.fault = fault; $0.context = context } }

    /// Removes the fault once (nil when none was injected or it was removed already).
    func removeFault() async throws -> String? {
        let taken = state.withLock { state -> ((any Fault)?, FaultContext?) in
            defer { state.fault = nil }
            return (state.fault, state.context)
        }
        guard let fault = taken.0, let context = taken.1 else { return nil }
        return try await fault.remove(context)
    }

    func cleanUp(_ timeline: DrillTimeline) async {
        var stopped: [String] = []
        if let removed = try? await removeFault() { stopped.append("fault removed (\(removed))") }
        if let store = state.withLock({ state in defer { state.store = nil }; return state.store }) {
            await store.stop()
            stopped.append("store stopped")
        }
        if let cluster = state.withLock({ state in defer { state.cluster = nil }; return state.cluster }) {
            await cluster.stop()
            stopped.append("cluster stopped (HAProxy, instances, primary, replica) and removed")
        }
        if let server = state.withLock({ state in defer { state.server = nil }; return state.server }) {
            await server.stop()
            stopped.append("private PostgreSQL stopped and removed")
        }
        if !stopped.isEmpty { timeline.note("cleanup", stopped.joined(separator: "; ")) }
    }
}
