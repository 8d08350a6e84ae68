import Database
import Foundation
import Guard
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import PostgresNIO
import Storefront
import Testing
import TestSupport

/// A flash sale is a burst, not overload (issue 17): buyers who arrive at the same moment on a store
/// with headroom are served, never answered 503, and get exactly the orders the stock allows.
/// The headroom is the machine's: beside the parallel suite (an advisor test loading 200,000 rows at the
/// same moment) the admission limit saw the CPU, not the store, and refused 7 of 50 buyers. So it runs in
/// README's second command, with the other suites that need the machine to themselves.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["SURGE_SOLO_TESTS"] != nil,
                             "runs in its own process: SURGE_SOLO_TESTS=1 swift test --filter FlashSaleBurstTests"))
struct FlashSaleBurstTests {
    @Test(.timeLimit(.minutes(3)), arguments: [50, 300, 1_000])
    func aBurstOfBuyersIsServedNotRefused(buyers: Int) async throws {
        try await TestPostgres.withFreshDatabase { _, url in
            var logger = Logger(label: "surge.tests.burst")
            logger.logLevel = .critical
            // The guarded assembly as `surge serve` makes it: a fixed pool behind a gate, deadlines
            // cancelled on the server, admission control with its default configuration.
            var clientConfiguration = url.clientConfiguration(settings: .init())
            PoolSizing.fixed(&clientConfiguration, connections: 10)
            let pool = PostgresClient(configuration: clientConfiguration, backgroundLogger: logger)
            let database = Database(client: pool, logger: logger,
                                    gate: ConnectionGate(.init(permits: 8, maximumWaiters: AdmissionLimiter.Configuration().limit.maximumLimit,
                                                                maximumWait: RouteClass.checkout.deadline)),
                                    cancelAtDeadline: true)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await pool.run() }
                defer { group.cancelAll() }
                let api = StoreApplication.api(database: database, configuration: .init(),
                                               gateway: SimulatedGateway(.init(medianLatency: .milliseconds(20), latencySigma: 0)), logger: logger)
                let admission = AdmissionController()
                let app = Application(router: StoreApplication.router(api: api, admission: admission), logger: logger)
                try await app.test(.router) { client in
                    let store = StoreHarness(database: database, api: api, client: client)
                    // A store that has been serving has its connections open: on a machine busy with
                    // the rest of the suite, opening ten connections can take longer than the gate's
                    // 1 s wait, which is not what this test is about.
                    try await pool.warmUp(connections: 8)
                    // One hot item, in sizes: a stock row serves its buyers one at a time (each holds its
                    // lock for a few statements), so 300 buyers share two rows here and a thousand six, the way a
                    // sale's shoe comes in sizes. Three of four buyers of each size get one.
                    let sizes = max(1, buyers / 150)
                    let perSize = buyers / sizes * 3 / 4
                    let stock = perSize * sizes
                    let variants = try await store.product(id: 1, variants: Array(repeating: (price: 1_500, onHand: perSize), count: sizes))

                    // Everyone creates a cart at the same moment.
                    let created = try await Self.burst(buyers) { _ in try await store.send(.post, "/v1/carts") }
                    #expect(created.filter { $0.status == .serviceUnavailable }.count == 0, "cart creation refused: \(Self.tally(created))")
                    #expect(created.allSatisfy { $0.status == .created })
                    let carts = try created.map { reply -> (String, String) in
                        let json = try reply.json()
                        return (json["id"] as? String ?? "", json["token"] as? String ?? "")
                    }
                    // Everyone adds the item at the same moment.
                    let added = try await Self.burst(buyers) { index in try await store.add(cart: carts[index], variant: variants[index % sizes]) }
                    #expect(added.filter { $0.status == .serviceUnavailable }.count == 0, "add-to-cart refused: \(Self.tally(added))")
                    #expect(added.allSatisfy { $0.status == .ok })
                    // Everyone checks out at the same moment.
                    let started = ContinuousClock.now
                    let checkouts = try await Self.burst(buyers) { index in
                        try await store.checkout(cart: carts[index], key: UUID().uuidString)
                    }
                    print("burst of \(buyers) checkouts on \(sizes) stock row(s): \(started.duration(to: .now)), limit \(admission.limit)")
                    #expect(checkouts.filter { $0.status == .serviceUnavailable }.count == 0, "checkout refused: \(Self.tally(checkouts))")
                    #expect(checkouts.filter { $0.status == .created }.count == stock, "orders: \(Self.tally(checkouts))")
                    #expect(checkouts.filter { $0.status == .conflict && $0.code == "sold_out" }.count == buyers - stock)
                    #expect(try await store.int("SELECT count(*)::int FROM orders") == stock)
                    #expect(try await store.int("SELECT sum(on_hand)::int FROM stock") == 0)
                }
            }
        }
    }

    /// Runs `count` requests at once and returns their replies in index order.
    static func burst(_ count: Int, _ request: @escaping @Sendable (Int) async throws -> StoreHarness.Reply) async throws -> [StoreHarness.Reply] {
        try await withThrowingTaskGroup(of: (Int, StoreHarness.Reply).self) { group in
            for index in 0..<count { group.addTask { (index, try await request(index)) } }
            var replies = [StoreHarness.Reply?](repeating: nil, count: count)
            for try await (index, reply) in group { replies[index] = reply }
            return replies.compactMap { $0 }
        }
    }

    static func tally(_ replies: [StoreHarness.Reply]) -> String {
        Dictionary(grouping: replies, by: { "\($0.status.code) \($0.code ?? "")" }).mapValues(\.count).description
    }
}
