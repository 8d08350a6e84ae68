import Database
import Foundation
import Guard
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import PostgresNIO
import Storefront
import Synchronization
import Testing
import TestSupport

/// PostgreSQL goes away under traffic and comes back: the guarded store must fail fast meanwhile,
/// recover by itself, and neither lose nor duplicate a confirmed order. This test runs its own
/// private server (not the suite's shared one), since it stops and restarts it.
///
/// It stops a server under load and times recovery, so it runs in a process of its own, not inside
/// the parallel suite (where two cores shared by 200 tests make "recovery within seconds" a coin toss):
/// `SURGE_SOLO_TESTS=1 swift test --filter "RecoveryTests|DoctorDatabaseTests|RampTests"`, the second half of README's test command.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["SURGE_SOLO_TESTS"] != nil,
                             "runs in its own process: SURGE_SOLO_TESTS=1 swift test --filter RecoveryTests"))
struct RecoveryTests {
    struct Answer: Sendable {
        var start: ContinuousClock.Instant
        var end: ContinuousClock.Instant
        var routeClass: RouteClass
        var status: Int
        var code: String?
        var retryAfter: Bool
    }

    /// What the traffic saw, shared by the workers.
    final class Log: Sendable {
        private let answers = Mutex<[Answer]>([])
        /// Idempotency key → order ids answered with 201 for it.
        private let orders = Mutex<[String: Set<String>]>([:])
        func record(_ answer: Answer) { answers.withLock { $0.append(answer) } }
        func confirmed(key: String, order: String) { orders.withLock { _ = $0[key, default: []].insert(order.lowercased()) } }
        /// When the workers stop starting new journeys (unset: keep going).
        private let end = Mutex<ContinuousClock.Instant?>(nil)
        let inFlight = Mutex<[Int: (String, ContinuousClock.Instant)]>([:])
        let nextID = Mutex(0)
        func stop(at instant: ContinuousClock.Instant) { end.withLock { $0 = instant } }
        var running: Bool { end.withLock { $0.map { ContinuousClock.now < $0 } ?? true } }
        var all: [Answer] { answers.withLock { $0 } }
        var confirmedOrders: [String: Set<String>] { orders.withLock { $0 } }
    }

    @Test(.timeLimit(.minutes(5)))
    func restartingPostgresUnderTrafficFailsFastThenRecoversWithoutLosingOrders() async throws {
        var logger = Logger(label: "surge.tests.recovery")
        logger.logLevel = ProcessInfo.processInfo.environment["SURGE_TEST_TRACE"] != nil ? .info : .error
        try await Self.withPrivateServer(logger: logger) { server in try await run(server, logger: logger) }
    }

    /// Runs `body` with a private PostgreSQL of its own on a temporary directory (the tests stop and
    /// start it), stopped and removed afterwards.
    static func withPrivateServer(logger: Logger, _ body: (LocalPostgres) async throws -> Void) async throws {
        try await TestPostgres.withPrivateServer(named: "recovery", logger: logger, body)
    }

    /// Pipelined reads through a restart: while the server is down every execution is handed back to
    /// the caller for the pool (nil, at once), and the pipeline reconnects by itself once it is back.
    @Test(.timeLimit(.minutes(2)))
    func pipelinedReadsComeBackAfterARestart() async throws {
        var logger = Logger(label: "surge.tests.recovery.pipeline")
        logger.logLevel = .error
        try await Self.withPrivateServer(logger: logger) { server in
            let echo = PipelinedStatement(name: "t_echo", sql: "SELECT ($1::int8 + 1)::text", parameterTypes: [.int8])
            let pipeline = StatementPipeline(.init(url: try DatabaseURL(server.url()), settings: .init(), statements: [echo]), logger: logger)
            func next(_ n: Int64) async throws -> String? {
                try await pipeline.execute(echo, [.int64(n)]).map { rows in rows.first.flatMap { $0 }.map { String(buffer: $0) } ?? "" }
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await pipeline.run() }
                defer { group.cancelAll() }
                try await pipeline.waitUntilOpen(timeout: .seconds(30))
                #expect(try await next(1) == "2")
                try await server.stop()
                for _ in 0..<500 where pipeline.openConnections > 0 { try await Task.sleep(for: .milliseconds(10)) }
                #expect(pipeline.openConnections == 0)
                let clock = ContinuousClock.now
                let whileDown = try await next(2)
                #expect(whileDown == nil)
                #expect(clock.duration(to: .now) < .milliseconds(500), "handed back at once, not after a timeout")
                try await server.start()
                try await pipeline.waitUntilOpen(timeout: .seconds(15))
                #expect(try await next(3) == "4")
            }
        }
    }

    func run(_ server: LocalPostgres, logger: Logger) async throws {
        let url = try DatabaseURL(server.url())
        var clientConfiguration = url.clientConfiguration(settings: .init())
        clientConfiguration.options.maximumConnections = 12
        clientConfiguration.options.minimumConnections = 2
        let database = Database(
            client: PostgresClient(configuration: clientConfiguration, backgroundLogger: logger), logger: logger,
            gate: ConnectionGate(.init(permits: 10)), cancelAtDeadline: true,
            recovery: RecoveryConfiguration(client: clientConfiguration, replaceAfter: .seconds(1)))
        var configuration = StoreConfiguration()
        // A retry may take over a key whose request died with the database after 1 s (default 12 s).
        configuration.idempotencyTakeoverAfter = .seconds(1)
        let initialStock = 100_000

        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await DatabaseService(database: database).run() }
            defer { group.cancelAll() }
            try await Migrator().migrate(database)
            let api = StoreApplication.api(
                database: database, configuration: configuration,
                gateway: SimulatedGateway(.init(medianLatency: .milliseconds(2), latencySigma: 0)), logger: logger)
            let router = StoreApplication.router(api: api, admission: AdmissionController(configuration.admission))
            let app = Application(router: router, logger: logger)
            try await app.test(.router) { client in
                let store = StoreHarness(database: database, api: api, client: client)
                let variant = try await store.product(id: 1, variants: [(price: 1500, onHand: initialStock)])[0]
                let log = Log()
                let clock = ContinuousClock()

                do {
                    async let workers: Void = Self.traffic(store, variant: variant, log: log)
                    async let monitor: Void = Self.monitor(database, log: log)
                    // Steady traffic, then the database stops for 3 s, then it comes back.
                    try await Task.sleep(for: .seconds(2.5))
                    try await server.stop()
                    Self.trace("stopped")
                    let down = clock.now
                    try await Task.sleep(for: .seconds(3))
                    let restarting = clock.now
                    try await server.start()
                    Self.trace("started")
                    let up = clock.now
                    log.stop(at: up + .seconds(5))
                    try await workers
                    Self.trace("workers done")
                    await monitor

                    let answers = log.all
                    // While the server was down: only 503s with Retry-After, each within its deadline.
                    let outage = answers.filter { $0.start >= down && $0.end <= restarting }
                    #expect(!outage.isEmpty, "traffic kept arriving during the outage")
                    // A browse page still in the catalog cache is served as usual (a listing key repeats now
                    // and then: min_price is random); nothing else can succeed without the database.
                    let odd = outage.filter { !($0.status == 503 && $0.retryAfter) && !($0.routeClass == .browse && $0.status == 200) }
                    #expect(odd.isEmpty, "not 503 + Retry-After: \(odd.map { "\($0.routeClass) \($0.status) \($0.code ?? "-")" })")
                    #expect(outage.allSatisfy { $0.start.duration(to: $0.end) <= $0.routeClass.deadline })
                    // Failing fast is the breaker's doing, not timeouts: most outage answers say so.
                    let failed = outage.filter { $0.status != 200 }
                    let fast = failed.filter { $0.code == "database_unavailable" }.count
                    #expect(fast * 10 >= failed.count * 9, "\(fast) of \(failed.count) failed outage answers were database_unavailable")
                    #expect((database.breaker?.trips ?? 0) >= 1)
                    #expect(database.poolGeneration > 1, "the failing pool was replaced during the outage")
                    // No client mistake or internal error anywhere in the run.
                    #expect(answers.allSatisfy { [200, 201, 409, 503].contains($0.status) },
                            "\(Set(answers.map(\.status)))")
                    // Recovery: browsing succeeds again within seconds of the server's return.
                    let firstSuccess = answers.filter { $0.routeClass == .browse && $0.status == 200 && $0.start >= up }
                        .map(\.end).min()
                    let recovery = firstSuccess.map { up.duration(to: $0) }
                    #expect(recovery != nil && recovery! < .seconds(5), "recovered after \(String(describing: recovery))")
                    print("recovery: outage answers \(outage.count), database_unavailable \(fast), "
                          + "first browse success \(String(describing: recovery)) after restart, pools \(database.poolGeneration)")
                }

                // Every confirmed order exists once; nothing else was sold; the ledger balances.
                let confirmed = log.confirmedOrders
                #expect(!confirmed.isEmpty)
                #expect(confirmed.values.allSatisfy { $0.count == 1 }, "a key was answered with two different orders")
                let answeredIDs = Set(confirmed.values.flatMap { $0 })
                let storedIDs = Set(try await database.query("SELECT id::text FROM orders").map { try $0.decode(String.self) })
                #expect(storedIDs == answeredIDs)
                let onHand = try await store.int("SELECT on_hand FROM stock WHERE variant_id = \(variant)")
                let reserved = try await store.int("SELECT reserved FROM stock WHERE variant_id = \(variant)")
                let sold = try await store.int("SELECT coalesce(sum(quantity), 0)::int FROM order_lines")
                // An add-to-cart retried after a lost answer may have added twice: at least one unit per order.
                #expect(sold >= answeredIDs.count)
                #expect(onHand == initialStock - sold)
                #expect(try await store.int("SELECT sum(on_hand_delta)::int FROM stock_movements") == onHand)
                #expect(try await store.int("SELECT sum(reserved_delta)::int FROM stock_movements") == reserved)
                #expect(try await store.int("SELECT coalesce(sum(l.quantity), 0)::int FROM hold_lines l JOIN holds h ON h.id = l.hold_id WHERE h.status = 'active'") == reserved)
            }
        }
    }

    /// Three browsers and three buyers until `log` says stop.
    static func traffic(_ store: StoreHarness, variant: Int64, log: Log) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<6 {
                group.addTask {
                    var journey = 0
                    while log.running {
                        journey += 1
                        if worker < 3 {
                            try await browse(store, log: log)
                        } else {
                            try await buy(store, variant: variant, key: "w\(worker)-j\(journey)", log: log)
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    static func trace(_ line: String) {
        guard ProcessInfo.processInfo.environment["SURGE_TEST_TRACE"] != nil else { return }
        FileHandle.standardError.write(Data("\(Date()) \(line)\n".utf8))
    }

    /// With SURGE_TEST_TRACE set: a line per second of what the traffic sees.
    static func monitor(_ database: Database, log: Log) async {
        guard ProcessInfo.processInfo.environment["SURGE_TEST_TRACE"] != nil else { return }
        // Until the traffic has stopped and no request is left in flight (a stuck one is named).
        while log.running || !log.inFlight.withLock({ $0.isEmpty }) {
            var codes: [String: Int] = [:]
            for answer in log.all { codes["\(answer.status) \(answer.code ?? "")", default: 0] += 1 }
            let stuck = log.inFlight.withLock { $0.values.filter { $0.1.duration(to: .now) > .seconds(3) }.map(\.0) }
            trace("\(codes) stuck=\(stuck) open=\(database.breaker?.isOpen ?? false) pools=\(database.poolGeneration)")
            try? await Task.sleep(for: .seconds(1))
        }
    }

    static func send(_ store: StoreHarness, _ method: HTTPRequest.Method, _ uri: String, routeClass: RouteClass,
                     headers: HTTPFields = [:], body: String? = nil, log: Log) async throws -> StoreHarness.Reply {
        let start = ContinuousClock.now
        let id = log.nextID.withLock { $0 += 1; return $0 }
        log.inFlight.withLock { $0[id] = ("\(method) \(uri)", start) }
        let reply = try await store.send(method, uri, headers: headers, body: body)
        log.inFlight.withLock { $0[id] = nil }
        log.record(Answer(start: start, end: .now, routeClass: routeClass, status: Int(reply.status.code), code: reply.code,
                          retryAfter: reply.headers[.retryAfter] != nil))
        if reply.status == .serviceUnavailable { try await Task.sleep(for: .milliseconds(50)) }
        return reply
    }

    /// A search no cache can answer (a new price bound each time): it needs the database.
    static func browse(_ store: StoreHarness, log: Log) async throws {
        _ = try await send(store, .get, "/v1/products?q=test&min_price=\(Int.random(in: 0...1_000_000))", routeClass: .browse, log: log)
    }

    /// One customer: a cart, one item, and a checkout retried with the same key until it has a final answer.
    static func buy(_ store: StoreHarness, variant: Int64, key: String, log: Log) async throws {
        let created = try await send(store, .post, "/v1/carts", routeClass: .cart, log: log)
        guard created.status == .created, let json = try? created.json(),
              let id = json["id"] as? String, let token = json["token"] as? String else { return }
        var added = try await send(store, .post, "/v1/carts/\(id)/items", routeClass: .cart, headers: [StoreHarness.cartToken: token],
                                   body: #"{"variant_id": \#(variant), "quantity": 1}"#, log: log)
        for _ in 0..<200 where added.status == .serviceUnavailable {
            added = try await send(store, .post, "/v1/carts/\(id)/items", routeClass: .cart, headers: [StoreHarness.cartToken: token],
                                   body: #"{"variant_id": \#(variant), "quantity": 1}"#, log: log)
        }
        guard added.status == .ok else { return }
        let body = """
            {"cart_id": "\(id)", "email": "ada@example.com", "payment_token": "tok_ok",
             "shipping_address": {"name": "Ada", "line1": "1 Loop Road", "city": "Cupertino", "postal_code": "95014", "country": "US"}}
            """
        // Retried (bounded) while the answer is not final: 503, or the key still held by a request that died.
        for _ in 0..<400 {
            let reply = try await send(store, .post, "/v1/checkout", routeClass: .checkout,
                                       headers: [StoreHarness.cartToken: token, StoreHarness.idempotencyKey: key], body: body, log: log)
            if reply.status == .created, let order = (try? reply.json())?["id"] as? String {
                log.confirmed(key: key, order: order)
                return
            }
            guard reply.status == .serviceUnavailable || reply.code == "idempotency_in_progress" else {
                Issue.record("checkout \(key) ended with \(reply.status.code) \(reply.code ?? "")")
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("checkout \(key) never got a final answer")
    }
}
