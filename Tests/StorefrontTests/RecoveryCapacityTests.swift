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
    @Test(.timeLimit(.minutes(3)))
    func capacityComesBackAfterARestartUnderSteadyLoad() async throws {
        var logger = Logger(label: "surge.tests.recovery.capacity")
        logger.logLevel = .error
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
                    try await Task.sleep(until: t0 + .seconds(5))
                    let limitBefore = admission.limit
                    try await server.stop()
                    try await Task.sleep(until: t0 + .seconds(10))
                    try await server.start()
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
                    print("capacity after a restart: before \(Int(before.perSecond)) pages/s, \(Int(before.refused * 100))% refused, limit \(limitBefore); "
                          + "10-15 s after \(Int(early.perSecond)) pages/s, 15-20 s after \(Int(late.perSecond)) pages/s, \(Int(late.refused * 100))% refused, limit \(limitAfter)")
                    #expect(before.perSecond > 0)
                    // The metastable failure this guards against served a quarter of the pages and refused
                    // 60-75% for minutes. Pages/s after the restart read 0.65-0.72 of before in two CI
                    // rehearsals after ClusterResilienceTests (0.82-0.95 alone), with nothing refused: the
                    // bar is 0.6 until that slower recovery is explained (issue 17 stays open on it).
                    #expect(after.perSecond >= 0.6 * before.perSecond, "pages/s \(after.perSecond) after vs \(before.perSecond) before")
                    #expect(after.refused <= before.refused + 0.05, "refused \(after.refused) after vs \(before.refused) before")
                    #expect(limitAfter * 2 >= limitBefore, "admission limit \(limitAfter) after vs \(limitBefore) before")
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

extension Duration {
    fileprivate var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
