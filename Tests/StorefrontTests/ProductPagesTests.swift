import Database
import Foundation
import Guard
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import NIOPosix
import Synchronization
@testable import Storefront
import Telemetry
import Testing
import TestSupport

/// `GET /v1/products/{id}` answered on the event loop from the request's bytes (`ProductPages`):
/// the router's answer byte for byte, in order on a connection, counted and attributed as before.
@Suite struct ProductPagesTests {
    /// Counts the requests that reach the router for a product page.
    struct RouterCounter<Inner: HTTPResponder>: HTTPResponder {
        let inner: Inner
        let count: Counter
        func respond(to request: Request, context: Inner.Context) async throws -> Response {
            if request.uri.path.hasPrefix("/v1/products/") { count.add() }
            return try await inner.respond(to: request, context: context)
        }
    }

    final class Counter: Sendable {
        private let count = Atomic<Int>(0)
        func add() { count.add(1, ordering: .relaxed) }
        var value: Int { count.load(ordering: .relaxed) }
    }

    static var logger: Logger {
        var logger = Logger(label: "surge.tests.product-pages")
        logger.logLevel = .critical
        return logger
    }

    /// Two live servers on one database, one serving product pages through the router only, the
    /// other from the event loop; the same requests get the same status, fields (in order) and body.
    /// The event-loop server reads through its own `Database` whose product statement is pipelined
    /// (`StatementPipeline`), and its own cache: so this also compares pipelined bytes with the pool's.
    @Test(arguments: [StoreProfile.naive, .guarded])
    func theEventLoopsAnswerIsTheRoutersAnswer(profile: StoreProfile) async throws {
        try await TestPostgres.withFreshDatabase { database, url in
          try await TestPostgres.withDatabase(url, pipeline: CatalogService.pipelinedStatements) { piped in
            var configuration = StoreConfiguration()
            configuration.profile = profile
            let api = StoreApplication.api(database: database, configuration: configuration, logger: Self.logger)
            let pipedAPI = StoreApplication.api(database: piped, configuration: configuration, logger: Self.logger)
            let guarded = profile == .guarded
            let admission = guarded ? AdmissionController() : nil
            let routed = Counter()
            let router = RouterCounter(inner: StoreApplication.router(api: pipedAPI, admission: admission, httpCaching: guarded).buildResponder(),
                                       count: routed)
            let plain = Application(router: StoreApplication.router(api: api, admission: admission, httpCaching: guarded),
                                    configuration: .init(serverName: "surge"), logger: Self.logger)
            let pages = ProductPages(api: pipedAPI, admission: admission, httpCaching: guarded, serverName: "surge", telemetry: nil, logger: Self.logger)
            let fast = Application(responder: router,
                                   server: .http1(configuration: .init(additionalChannelHandlers: EarlyShed.handlers(shed: nil, pages: pages))),
                                   configuration: .init(serverName: "surge"), logger: Self.logger)
            try await plain.test(.live) { plainClient in
                try await fast.test(.live) { fastClient in
                    let store = StoreHarness(database: database, api: api, client: plainClient)
                    _ = try await store.product(id: 5, variants: [(price: 700, onHand: 2), (price: 900, onHand: 0)])
                    let browser: HTTPFields = [.userAgent: "Mozilla/5.0 (test)"]
                    var requests: [(String, HTTPFields)] = [("/v1/products/5", browser), ("/v1/products/5?ref=mail", browser),
                                                            ("/v1/products/404", browser), ("/v1/products/5", [:])]
                    var withToken = browser
                    withToken[HTTPField.Name("X-Cart-Token")!] = "some-token"
                    requests.append(("/v1/products/5", withToken))
                    let first = try await plainClient.execute(uri: "/v1/products/5", method: .get, headers: browser) { $0.headers[.eTag] }
                    if guarded {
                        var conditional = browser
                        let tag: String = try #require(first)
                        conditional[.ifNoneMatch] = tag
                        requests.append(("/v1/products/5", conditional))
                    } else {
                        #expect(first == nil, "no ETag in the naive profile")
                    }
                    for (uri, headers) in requests {
                        let expected = try await plainClient.execute(uri: uri, method: .get, headers: headers) { ($0.status, $0.headers, String(buffer: $0.body)) }
                        let answer = try await fastClient.execute(uri: uri, method: .get, headers: headers) { ($0.status, $0.headers, String(buffer: $0.body)) }
                        #expect(answer.0 == expected.0, "\(uri)")
                        #expect(answer.2 == expected.2, "\(uri)")
                        #expect(answer.1.map(\.name) == expected.1.map(\.name), "\(uri)")
                        for field in expected.1 where field.name != .date {
                            #expect(answer.1[field.name] == field.value, "\(uri) \(field.name)")
                        }
                    }
                    #expect(routed.value == 0, "every one of these was answered before the router")
                    // Not plain digits, or not a GET: the router answers, as before.
                    for uri in ["/v1/products/0", "/v1/products/-5", "/v1/products/abc", "/v1/products/99999999999999999999"] {
                        let status = try await fastClient.execute(uri: uri, method: .get, headers: browser) { $0.status }
                        #expect(status == .badRequest, "\(uri)")
                    }
                    #expect(routed.value == 4)
                    if let admission { #expect(admission.inFlight == 0, "every permit was given back") }
                    #expect((piped.pipeline?.answered ?? 0) > 0, "the event-loop server's pages were pipelined")
                }
            }
          }
        }
    }

    /// Bytes in, bytes out, on one connection.
    final class RawConnection: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        private let received = Mutex<String>("")
        var text: String { received.withLock { $0 } }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            received.withLock { $0 += String(buffer: buffer) }
        }

        static func connect(port: Int) async throws -> (any Channel, RawConnection) {
            let handler = RawConnection()
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .channelInitializer { channel in channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(handler) } }
                .connect(host: "127.0.0.1", port: port).get()
            return (channel, handler)
        }

        func waitFor(_ condition: (String) -> Bool) async throws {
            for _ in 0..<500 where !condition(text) { try await Task.sleep(for: .milliseconds(10)) }
        }
    }

    /// A product page waiting for admission holds the connection: the requests sent behind it (one
    /// more page, then a health check for the router) wait, and all three are answered in order.
    @Test func answersKeepTheirOrderWhileAPageWaits() async throws {
        try await TestPostgres.withFreshDatabase { database, _ in
            var limits = AdmissionLimiter.Configuration()
            limits.limit.initialLimit = 1
            limits.limit.minimumLimit = 1
            limits.limit.maximumLimit = 1
            limits.guaranteedShare = [.checkout: 1, .cart: 0, .browse: 0, .bot: 0]
            limits.queueTimeout = [.checkout: .zero, .cart: .zero, .browse: .seconds(20), .bot: .zero]
            let admission = AdmissionController(limits)
            let api = StoreApplication.api(database: database, configuration: .init(), logger: Self.logger)
            let pages = ProductPages(api: api, admission: admission, httpCaching: true, serverName: "surge", telemetry: nil, logger: Self.logger)
            let shed = EarlyShed(controller: admission, endpoints: api.endpointList)
            let app = Application(router: StoreApplication.router(api: api, admission: admission, httpCaching: true),
                                  server: .http1(configuration: .init(additionalChannelHandlers: EarlyShed.handlers(shed: shed, pages: pages))),
                                  configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "surge"),
                                  onServerRunning: { _ in }, logger: Self.logger)
            try await app.test(.live) { client in
                let store = StoreHarness(database: database, api: api, client: client)
                _ = try await store.product(id: 7, variants: [(price: 700, onHand: 2)])
                _ = try await store.product(id: 8, variants: [(price: 800, onHand: 2)])
                let port = try #require(client.port)
                let checkout = try await admission.acquire(.checkout)   // the one slot: pages must wait
                let (channel, connection) = try await RawConnection.connect(port: port)
                func get(_ path: String) -> ByteBuffer {
                    ByteBuffer(string: "GET \(path) HTTP/1.1\r\nHost: localhost\r\nUser-Agent: test-client\r\n\r\n")
                }
                try await channel.writeAndFlush(get("/v1/products/7"))
                for _ in 0..<500 where admission.queueLength == 0 { try await Task.sleep(for: .milliseconds(10)) }
                #expect(admission.queueLength == 1, "the page waits for admission")
                try await channel.writeAndFlush(get("/v1/products/8"))
                try await Task.sleep(for: .milliseconds(50))
                try await channel.writeAndFlush(get("/health/live"))
                try await Task.sleep(for: .milliseconds(200))
                #expect(connection.text.isEmpty, "nothing overtakes the waiting page")
                admission.release(checkout)
                try await connection.waitFor { $0.components(separatedBy: "HTTP/1.1 200 OK").count == 4 }
                let text = connection.text
                let seven = try #require(text.range(of: "\"id\" : 7,"))
                let eight = try #require(text.range(of: "\"id\" : 8,"))
                let live = try #require(text.range(of: "\"status\":\"live\""))
                #expect(seven.lowerBound < eight.lowerBound && eight.lowerBound < live.lowerBound)
                try await channel.close()
                #expect(admission.inFlight == 0)
            }
        }
    }

    /// The event-loop lane fills a cold cache under overload as the router does: a product page the
    /// cache does not hold, refused by the limiter, is loaded through the free cache-fill slot and then
    /// answered from the cache's bytes; with the slot taken it is shed on the event loop, with no query.
    @Test func aColdPageUnderOverloadIsFilledOnTheEventLoop() async throws {
        let details = StatementCounter(ProductDetailStatement.sql)
        try await TestPostgres.withFreshDatabase(observers: [details]) { database, _ in
            var limits = AdmissionLimiter.Configuration()
            limits.limit.initialLimit = 1
            limits.limit.minimumLimit = 1
            limits.limit.maximumLimit = 1
            limits.guaranteedShare = [.checkout: 1, .cart: 0, .browse: 0, .bot: 0]
            limits.queueTimeout = [.checkout: .zero, .cart: .zero, .browse: .zero, .bot: .zero]
            limits.cacheFills = 1
            let admission = AdmissionController(limits)
            let api = StoreApplication.api(database: database, configuration: .init(), logger: Self.logger)
            let pages = ProductPages(api: api, admission: admission, httpCaching: true, serverName: "surge", telemetry: nil, logger: Self.logger)
            let shed = EarlyShed(controller: admission, endpoints: api.endpointList, cache: api.cachedAnswers(enabled: true, serverName: "surge"))
            let app = Application(router: StoreApplication.router(api: api, admission: admission, httpCaching: true),
                                  server: .http1(configuration: .init(additionalChannelHandlers: EarlyShed.handlers(shed: shed, pages: pages))),
                                  configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "surge"),
                                  onServerRunning: { _ in }, logger: Self.logger)
            try await app.test(.live) { client in
                let store = StoreHarness(database: database, api: api, client: client)
                _ = try await store.product(id: 7, variants: [(price: 700, onHand: 2)])
                _ = try await store.product(id: 8, variants: [(price: 800, onHand: 2)])
                let browser: HTTPFields = [.userAgent: "Mozilla/5.0 (test)"]
                func get(_ id: Int) async throws -> HTTPResponse.Status {
                    try await client.execute(uri: "/v1/products/\(id)", method: .get, headers: browser) { $0.status }
                }
                let checkout = try await admission.acquire(.checkout)   // the one slot: browsing is refused
                #expect(admission.wouldShed(.browse))
                #expect(try await get(7) == .ok)
                #expect(details.value == 1, "loaded once, as a cache fill")
                #expect(try await get(7) == .ok)
                #expect(details.value == 1, "then answered from the cache")
                #expect(admission.acquireCacheFill(.browse))   // the fill slot busy
                #expect(try await get(8) == .serviceUnavailable)
                #expect(details.value == 1)
                admission.releaseCacheFill()
                #expect(try await get(8) == .ok)
                #expect(details.value == 2)
                admission.release(checkout)
                #expect(admission.cacheFillsInFlight == 0)
            }
        }
    }

    /// Answered on the event loop, a page is still counted in /metrics and its statement attributed
    /// to the route, as through the router.
    @Test func pagesFromTheEventLoopAreCountedAndAttributed() async throws {
        let telemetry = Telemetry(configuration: .init(adminToken: "secret-token"), logger: Self.logger)
        try await TestPostgres.withFreshDatabase(observers: [telemetry.queryObserver]) { database, _ in
            let api = StoreApplication.api(database: database, configuration: .init(), logger: Self.logger)
            let pages = ProductPages(api: api, admission: nil, httpCaching: false, serverName: "surge", telemetry: telemetry, logger: Self.logger)
            let app = Application(router: StoreApplication.router(api: api, telemetry: telemetry),
                                  server: .http1(configuration: .init(additionalChannelHandlers: EarlyShed.handlers(shed: nil, pages: pages))),
                                  configuration: .init(serverName: "surge"), logger: Self.logger)
            try await app.test(.live) { client in
                let store = StoreHarness(database: database, api: api, client: client)
                _ = try await store.product(id: 50, variants: [(price: 100, onHand: 5)])
                telemetry.statistics.reset()
                let headers: HTTPFields = [.userAgent: "test", HTTPField.Name("X-Request-Id")!: "req-0001"]
                #expect(try await client.execute(uri: "/v1/products/50", method: .get, headers: headers) { $0.status } == .ok)
                #expect(try await client.execute(uri: "/v1/products/51", method: .get, headers: headers) { $0.status } == .notFound)
                let report = telemetry.statistics.report()
                #expect(report.routes.map(\.route) == ["GET /v1/products/{id}"])
                let metrics = try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
                #expect(metrics.contains(#"surge_http_requests_total{route="/v1/products/{id}",method="GET",status_class="2xx",route_class="browse"} 1"#))
                #expect(metrics.contains(#"surge_http_requests_total{route="/v1/products/{id}",method="GET",status_class="4xx",route_class="browse"} 1"#))
            }
        }
    }
}
