import Capacity
import Database
import Foundation
import Guard
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import PostgresNIO
import Storefront
import Synchronization
import Testing
import TestSupport

/// After a database outage the store must get its capacity back, not only answer one request
/// (issue 17: the admission limit stayed at its floor and 60–75% of pages were refused for minutes
/// after a 5 s restart), and restarting PostgreSQL again and again under traffic must never hang it.
extension RecoveryTests {
    /// A guarded store on `server` (gate, deadlines, breaker and pool replacement, admission control
    /// with its default configuration), driven through its router.
    static func withGuardedStore(_ server: LocalPostgres, logger: Logger,
                                 _ body: @Sendable (StoreHarness, AdmissionController, Database) async throws -> Void) async throws {
        let url = try DatabaseURL(server.url())
        var clientConfiguration = url.clientConfiguration(settings: .init())
        PoolSizing.fixed(&clientConfiguration, connections: 10)
        let database = Database(
            client: PostgresClient(configuration: clientConfiguration, backgroundLogger: logger), logger: logger,
            gate: ConnectionGate(.init(permits: 8, maximumWaiters: 500)), cancelAtDeadline: true,
            recovery: RecoveryConfiguration(client: clientConfiguration, replaceAfter: .seconds(1)))
        var configuration = StoreConfiguration()
        configuration.idempotencyTakeoverAfter = .seconds(1)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await DatabaseService(database: database).run() }
            defer { group.cancelAll() }
            try await Migrator().migrate(database)
            let api = StoreApplication.api(database: database, configuration: configuration,
                                           gateway: SimulatedGateway(.init(medianLatency: .milliseconds(2), latencySigma: 0)), logger: logger)
            let admission = AdmissionController(configuration.admission)
            let app = Application(router: StoreApplication.router(api: api, admission: admission), logger: logger)
            try await app.test(.router) { client in
                try await body(StoreHarness(database: database, api: api, client: client), admission, database)
            }
        }
    }

    /// 16 shoppers browsing pages no cache can answer (a browser User-Agent): pages served per second
    /// and the share refused come back to their pre-outage values after a 5 s outage.
    ///
    /// Pages/s alone is a noisy witness here: with the machine's two cores saturated throughout, the same
    /// load with no outage at all read 521–1,034 pages/s in 2 s windows of one run, and this test's own
    /// ratio 0.86–1.57 in seven runs (`SURGE_RECOVERY_CONTROL=1`: everything the same, no outage). So the test also asks the
    /// question pages/s stands for, which that noise does not touch: is the machine as busy serving as it
    /// was before (nothing waits idle on a connection, a limit or a prober after the restart)?
    @Test(.timeLimit(.minutes(3)))
    func capacityComesBackAfterARestartUnderSteadyLoad() async throws {
        var logger = Logger(label: "surge.tests.recovery.capacity")
        logger.logLevel = .error
        let control = ProcessInfo.processInfo.environment["SURGE_RECOVERY_CONTROL"] != nil
        // Its two windows are compared: nothing may saturate the machine on purpose in between.
        try await MachineTurn.take { try await Self.withPrivateServer(logger: logger) { server in
            try await Self.withGuardedStore(server, logger: logger) { store, admission, _ in
                _ = try await store.product(id: 1, variants: [(price: 1500, onHand: 10)])
                let answers = Tally()
                let browser: HTTPFields = [.userAgent: "Mozilla/5.0 (recovery test)"]
                let t0 = ContinuousClock.now
                func window(_ from: Duration, _ to: Duration) -> (perSecond: Double, refused: Double) {
                    let inWindow = answers.all.filter { $0.end >= t0 + from && $0.end < t0 + to }
                    let served = inWindow.filter { $0.status == 200 }.count
                    let refused = inWindow.filter { $0.status == 503 }.count
                    return (Double(served) / (to - from).seconds, inWindow.isEmpty ? 1 : Double(refused) / Double(inWindow.count))
                }
                // Cores busy on this host, every second from t0.
                let busy = HostBusy()
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<16 {
                        group.addTask {
                            while !answers.stopped {
                                let reply = try await store.send(.get, "/v1/products?q=test&min_price=\(Int.random(in: 0...1_000_000))", headers: browser)
                                answers.record(Int(reply.status.code))
                                if reply.status == .serviceUnavailable { try await Task.sleep(for: .milliseconds(50)) }
                            }
                        }
                    }
                    group.addTask { try await busy.sample(from: t0, until: { answers.stopped }) }
                    try await Task.sleep(until: t0 + .seconds(5))
                    let limitBefore = admission.limit
                    if !control { try await server.stop() }
                    try await Task.sleep(until: t0 + .seconds(10))
                    if !control { try await server.start() }
                    let up = ContinuousClock.now - t0
                    try await Task.sleep(for: .seconds(20))
                    let limitAfter = admission.limit
                    answers.stop()
                    try await group.waitForAll()

                    let before = window(.seconds(2), .seconds(5))
                    // Within 20 s: the better of the two 5 s windows that end by then, so that one stall of a
                    // shared machine (another suite's servers still shutting down) is not read as the
                    // store's; the refusals must be gone in the last one.
                    let early = window(up + .seconds(10), up + .seconds(15))
                    let late = window(up + .seconds(15), up + .seconds(20))
                    let after = (perSecond: max(early.perSecond, late.perSecond), refused: late.refused)
                    let busyBefore = busy.cores(from: .seconds(2), to: .seconds(5))
                    let busyAfter = busy.cores(from: up + .seconds(10), to: up + .seconds(20))
                    let series = stride(from: 0, to: Int((up + .seconds(20)).seconds), by: 2)
                        .map { "\(Int(window(.seconds($0), .seconds($0 + 2)).perSecond))" }.joined(separator: " ")
                    print("capacity after a restart\(control ? " (control: no outage)" : ""): before \(Int(before.perSecond)) pages/s, "
                          + "\(Int(before.refused * 100))% refused, limit \(limitBefore), \(busyBefore.formatted2) cores busy; "
                          + "10-15 s after \(Int(early.perSecond)) pages/s, 15-20 s after \(Int(late.perSecond)) pages/s, "
                          + "\(Int(late.refused * 100))% refused, limit \(limitAfter), \(busyAfter.formatted2) cores busy; "
                          + "pages/s every 2 s from the start: \(series)")
                    #expect(before.perSecond > 0)
                    // The metastable failure this guards against served a quarter of the pages and refused
                    // 60-75% for minutes. Without any outage the ratio read 0.86-1.57 (seven control runs) and
                    // two CI rehearsals read 0.65-0.72 with one: 0.6 catches that failure and not the noise.
                    #expect(after.perSecond >= 0.6 * before.perSecond, "pages/s \(after.perSecond) after vs \(before.perSecond) before")
                    #expect(after.refused <= before.refused + 0.05, "refused \(after.refused) after vs \(before.refused) before")
                    #expect(limitAfter * 2 >= limitBefore, "admission limit \(limitAfter) after vs \(limitBefore) before")
                    // The capacity is in use again: the CPU the store and its database had before the
                    // outage is busy again (an idle wait after the restart would show as idle cores).
                    #expect(busyAfter >= 0.9 * busyBefore, "\(busyAfter) cores busy after vs \(busyBefore) before")
                }
            }
        } }
    }

    /// The store through eight restarts in a row under browsing and buying: it recovers every time,
    /// and no confirmed order is lost or doubled. (A hang here is a hang of the whole process, which
    /// `.ci/run`'s timeout reports.)
    @Test(.timeLimit(.minutes(4)))
    func restartingPostgresManyTimesInARowUnderTrafficRecoversEveryTime() async throws {
        var logger = Logger(label: "surge.tests.recovery.repeated")
        logger.logLevel = ProcessInfo.processInfo.environment["SURGE_TEST_TRACE"] != nil ? .debug : .critical
        try await Self.withPrivateServer(logger: logger) { server in
            try await Self.withGuardedStore(server, logger: logger) { store, _, database in
                let initialStock = 100_000
                let variant = try await store.product(id: 1, variants: [(price: 1500, onHand: initialStock)])[0]
                let log = Log()
                async let workers: Void = Self.traffic(store, variant: variant, log: log)
                async let monitor: Void = Self.monitor(database, log: log)
                var recoveries: [Duration] = []
                for restart in 0..<8 {
                    try await Task.sleep(for: .seconds(1))
                    try await server.stop()
                    Self.trace("restart \(restart + 1): stopped")
                    try await Task.sleep(for: .seconds(1))
                    try await server.start()
                    Self.trace("restart \(restart + 1): started")
                    let up = ContinuousClock.now
                    var recovered: Duration?
                    while recovered == nil && up.duration(to: .now) < .seconds(15) {
                        try await Task.sleep(for: .milliseconds(100))
                        let done = log.all.contains { $0.routeClass == .browse && $0.status == 200 && $0.start >= up }
                        if done { recovered = up.duration(to: .now) }
                    }
                    #expect(recovered != nil, "no browse page served within 15 s of restart \(recoveries.count + 1)")
                    recoveries.append(recovered ?? .seconds(15))
                }
                log.stop(at: .now + .seconds(2))
                try await workers
                await monitor
                print("eight restarts: recovered after \(recoveries.map { "\($0.milliseconds) ms" })")
                let confirmed = log.confirmedOrders
                #expect(!confirmed.isEmpty)
                #expect(confirmed.values.allSatisfy { $0.count == 1 }, "a key was answered with two different orders")
                let stored = Set(try await database.query("SELECT id::text FROM orders").map { try $0.decode(String.self) })
                #expect(stored == Set(confirmed.values.flatMap { $0 }))
                let sold = try await store.int("SELECT coalesce(sum(quantity), 0)::int FROM order_lines")
                #expect(try await store.int("SELECT on_hand FROM stock WHERE variant_id = \(variant)") == initialStock - sold)
            }
        }
    }
}

/// Answers by the time they arrived, shared by the shoppers of `capacityComesBackAfterARestartUnderSteadyLoad`.
final class Tally: Sendable {
    private let answers = Mutex<[(end: ContinuousClock.Instant, status: Int)]>([])
    private let done = Atomic(false)
    func record(_ status: Int) { answers.withLock { $0.append((.now, status)) } }
    var all: [(end: ContinuousClock.Instant, status: Int)] { answers.withLock { $0 } }
    func stop() { done.store(true, ordering: .relaxed) }
    var stopped: Bool { done.load(ordering: .relaxed) }
}

/// The host's busy cores (/proc/stat), sampled every second from a start, for
/// `capacityComesBackAfterARestartUnderSteadyLoad`.
final class HostBusy: Sendable {
    private let samples = Mutex<[(at: Duration, busySeconds: Double)]>([])

    func sample(from t0: ContinuousClock.Instant, until stopped: @Sendable () -> Bool) async throws {
        var tick = 0
        while !stopped() {
            if let snapshot = ProcessCPU.snapshot(groups: []) {
                samples.withLock { $0.append((t0.duration(to: .now), snapshot.hostBusySeconds)) }
            }
            tick += 1
            try await Task.sleep(until: t0 + .seconds(tick))
        }
    }

    /// Cores busy on average between the samples nearest `from` and `to`.
    func cores(from: Duration, to: Duration) -> Double {
        let all = samples.withLock { $0 }
        guard let start = all.min(by: { abs(($0.at - from).seconds) < abs(($1.at - from).seconds) }),
              let end = all.min(by: { abs(($0.at - to).seconds) < abs(($1.at - to).seconds) }),
              end.at > start.at else { return 0 }
        return (end.busySeconds - start.busySeconds) / (end.at - start.at).seconds
    }
}

extension Double {
    fileprivate var formatted2: String { String(format: "%.2f", self) }
}

extension Duration {
    fileprivate var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
