import Database
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import PostgresNIO
import Storefront
import Testing
import Telemetry
import TestSupport

/// A store on a fresh database, driven through its real router (in process, no sockets).
struct StoreHarness {
    let database: Database
    let api: StoreAPI
    let client: any TestClientProtocol

    static func run(
        gateway: (any PaymentGateway)? = nil,
        configuration: StoreConfiguration = .init(),
        telemetry: Telemetry? = nil,
        observers: [any QueryObserver] = [],
        _ body: @Sendable (StoreHarness) async throws -> Void
    ) async throws {
        let observers = observers + (telemetry.map { [$0.queryObserver] } ?? [])
        try await TestPostgres.withFreshDatabase(observers: observers) { direct, url in
            var logger = Logger(label: "surge.tests.store")
            logger.logLevel = .warning
            guard TestPostgres.throughPgBouncer else {
                return try await run(database: direct, gateway: gateway, configuration: configuration, telemetry: telemetry, logger: logger, body)
            }
            // The same database through PgBouncer in transaction mode: every statement of the API.
            var clientConfiguration = try await TestPostgres.pooledURL(url).clientConfiguration()
            clientConfiguration.options.maximumConnections = 12
            var poolLogger = logger
            poolLogger.logLevel = .error
            let client = PostgresClient(configuration: clientConfiguration, backgroundLogger: poolLogger)
            let pooled = Database(client: client, observers: observers, logger: logger, transactionPooler: true)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await client.run() }
                defer { group.cancelAll() }
                try await run(database: pooled, gateway: gateway, configuration: configuration, telemetry: telemetry, logger: logger, body)
            }
        }
    }

    private static func run(database: Database, gateway: (any PaymentGateway)?, configuration: StoreConfiguration, telemetry: Telemetry?,
                            logger: Logger, _ body: @Sendable (StoreHarness) async throws -> Void) async throws {
        let api = StoreApplication.api(
            database: database, configuration: configuration,
            gateway: gateway ?? SimulatedGateway(.init(medianLatency: .milliseconds(2), latencySigma: 0)), logger: logger)
        let app = Application(router: StoreApplication.router(api: api, telemetry: telemetry), logger: logger)
        try await app.test(.router) { client in
            try await body(StoreHarness(database: database, api: api, client: client))
        }
    }

    /// Inserts one product with variants (price, on-hand stock) under a fresh category and brand.
    @discardableResult
    func product(id: Int64, title: String = "Test Product", variants: [(price: Int64, onHand: Int)]) async throws -> [Int64] {
        try await database.query("INSERT INTO categories (id, slug, name, depth) VALUES (\(Int(id)), \("c\(id)"), \("Cat \(id)"), 0) ON CONFLICT DO NOTHING")
        try await database.query("INSERT INTO brands (id, name) VALUES (\(Int(id)), \("Brand \(id)")) ON CONFLICT DO NOTHING")
        try await database.query("""
            INSERT INTO products (id, category_id, brand_id, title, description, price_minor, currency)
            VALUES (\(id), \(Int(id)), \(Int(id)), \(title), 'A product for tests', \(variants.map(\.price).min() ?? 0), 'USD')
            """)
        var ids: [Int64] = []
        for (index, variant) in variants.enumerated() {
            let variantID = id * 100 + Int64(index)
            try await database.query("""
                INSERT INTO variants (id, product_id, sku, price_minor, currency) VALUES (\(variantID), \(id), \("SKU-\(variantID)"), \(variant.price), 'USD')
                """)
            try await database.query("INSERT INTO stock (variant_id, on_hand) VALUES (\(variantID), \(variant.onHand))")
            try await database.query("""
                INSERT INTO stock_movements (variant_id, on_hand_delta, reserved_delta, reason) VALUES (\(variantID), \(variant.onHand), 0, 'seed')
                """)
            ids.append(variantID)
        }
        return ids
    }

    // MARK: - HTTP

    struct Reply: Sendable {
        var status: HTTPResponse.Status
        var headers: HTTPFields
        var body: String
        func json() throws -> [String: Any] {
            (try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]) ?? [:]
        }
        var code: String? { (try? json())?["code"] as? String }
    }

    func send(_ method: HTTPRequest.Method, _ uri: String, headers: HTTPFields = [:], body: String? = nil) async throws -> Reply {
        var headers = headers
        if body != nil && headers[.contentType] == nil { headers[.contentType] = "application/json" }
        return try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) { response in
            Reply(status: response.status, headers: response.headers, body: String(buffer: response.body))
        }
    }

    /// Creates a cart and returns (id, token).
    func createCart() async throws -> (String, String) {
        let reply = try await send(.post, "/v1/carts")
        #expect(reply.status == .created)
        let json = try reply.json()
        return (json["id"] as? String ?? "", json["token"] as? String ?? "")
    }

    func add(cart: (String, String), variant: Int64, quantity: Int = 1) async throws -> Reply {
        try await send(.post, "/v1/carts/\(cart.0)/items", headers: [StoreHarness.cartToken: cart.1],
                       body: #"{"variant_id": \#(variant), "quantity": \#(quantity)}"#)
    }

    func checkout(cart: (String, String), key: String, paymentToken: String = "tok_ok") async throws -> Reply {
        try await send(.post, "/v1/checkout", headers: [StoreHarness.cartToken: cart.1, StoreHarness.idempotencyKey: key], body: """
            {"cart_id": "\(cart.0)", "email": "ada@example.com", "payment_token": "\(paymentToken)",
             "shipping_address": {"name": "Ada", "line1": "1 Loop Road", "city": "Cupertino", "postal_code": "95014", "country": "US"}}
            """)
    }

    static let cartToken = HTTPField.Name("X-Cart-Token")!
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!

    func int(_ sql: PostgresQuery) async throws -> Int {
        try await database.query(sql).first?.decode(Int.self) ?? -1
    }
}
