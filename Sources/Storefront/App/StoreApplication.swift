import Database
import Guard
import Hummingbird
import Logging
import Synchronization
import NIOCore
import ServiceLifecycle
import Telemetry

/// Assembles the store: domain services, the router with its middleware, and background services.
public enum StoreApplication {
    /// The `Server` header the store sends.
    static let serverName = "surge"

    /// The store's API over `database` (whose pool must be running).
    /// - Parameter reads: where catalog reads go (replicas with the primary as fallback); `nil` reads
    ///   the catalog from `database`.
    public static func api(database: Database, reads: ReadRouter? = nil, configuration: StoreConfiguration,
                           gateway: (any PaymentGateway)? = nil, logger: Logger) -> StoreAPI {
        let profile = configuration.profile.settings
        let catalog = CatalogService(database: database, reads: reads,
                                     cacheBytes: profile.catalogCache ? configuration.catalogCacheBytes : 0)
        let soldOut = profile.soldOutFilter ? SoldOutFilter(ttl: configuration.soldOutTTL) : nil
        let checkout = CheckoutService(database: database, gateway: gateway ?? SimulatedGateway(configuration.payment),
                                       holdTTL: configuration.holdTTL, takeoverAfter: configuration.idempotencyTakeoverAfter,
                                       soldOut: soldOut, logger: logger)
        let migrator = try? Migrator()
        let migrated = Atomic<Bool>(false)
        return StoreAPI(
            catalog: catalog,
            carts: CartService(database: database, soldOut: soldOut),
            checkout: checkout,
            orders: OrderService(database: database),
            deadlines: configuration.deadlines,
            readiness: {
                // Ready once the schema is seen migrated, and from then on while the process serves: every
                // instance shares the database, so a readiness that followed it would take them all out of
                // the load balancer at once in a brief outage (a PgBouncer restart), leaving nothing to
                // answer even the pages a replica or the cache can serve. The store itself answers 503
                // `database_unavailable` for what needs the primary meanwhile.
                if migrated.load(ordering: .relaxed) { return true }
                guard let migrator, let version = try? await migrator.currentVersion(database), version >= migrator.latestVersion else { return false }
                migrated.store(true, ordering: .relaxed)
                return true
            }
        )
    }

    /// A router with every endpoint, all of them answered through `RequestLifecycleMiddleware` (context,
    /// admission when `admission` is given, problem+json for every error, request metrics with
    /// `telemetry`); with `telemetry`, also `/metrics`, `/admin/*`, `/dashboard`; ETag/304 on catalog
    /// reads with `httpCaching`.
    public static func router(api: StoreAPI, telemetry: Telemetry? = nil, admission: AdmissionController? = nil,
                              httpCaching: Bool = false, serveCachedUnderOverload: Bool = true,
                              logger: Logger = Logger(label: "surge.http")) -> Router<StoreRequestContext> {
        // Every GET route answers HEAD as GET without the body (same status and fields).
        let router = Router(context: StoreRequestContext.self, options: .autoGenerateHeadEndpoints)
        let lifecycle = RequestLifecycle(admission: admission, telemetry: telemetry, logger: logger)
        // Telemetry's routes are system routes (never shed): their paths, as the router will report them.
        var telemetryPaths: Set<String> = []
        if let telemetry {
            let probe = Router(context: StoreRequestContext.self)
            probe.addRoutes(telemetry.routes(context: StoreRequestContext.self))
            telemetryPaths = Set(probe.routes.map(\.path.description))
        }
        router.add(middleware: RequestLifecycleMiddleware(lifecycle: lifecycle, api: api,
                                                          cache: api.cachedAnswers(enabled: serveCachedUnderOverload, serverName: serverName),
                                                          systemPaths: telemetryPaths))
        if let telemetry { router.addRoutes(telemetry.routes(context: StoreRequestContext.self)) }
        if httpCaching { router.add(middleware: ConditionalGetMiddleware(endpoints: api.endpointList)) }
        api.register(on: router)
        // Last: it wraps only the not-found responder (a known path with another method is 405).
        router.add(middleware: MethodNotAllowedMiddleware(router: router))
        return router
    }

    /// A new connection's handlers after the HTTP/1 codec: early shedding and product pages on the
    /// event loop (`EarlyShed.handlers`), and problem+json for what the HTTP/1 parser refused.
    static func connectionHandlers(shed: EarlyShed?, pages: ProductPages?) -> [any RemovableChannelHandler] {
        EarlyShed.handlers(shed: shed, pages: pages) + [MalformedRequestHandler()]
    }

    /// The runnable application: the database pool, the HTTP server and the hold sweeper, in one
    /// service group with graceful shutdown. `listen`, when given, is the session connection the
    /// catalog listener LISTENs on (behind a transaction pooler; it must be run by one of `services`);
    /// `leadership`, when given, decides whether this instance sweeps holds (it must be run by one of `services`). `prepare` runs once the pool is up, before the server
    /// accepts connections (migrations, seeding).
    public static func make(
        database: Database, reads: ReadRouter? = nil, listen: Database? = nil, leadership: Leadership? = nil,
        configuration: StoreConfiguration, logger: Logger,
        telemetry: Telemetry? = nil, gateway: (any PaymentGateway)? = nil, services: [any Service] = [],
        prepare: @escaping @Sendable () async throws -> Void = {},
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> Application<RouterResponder<StoreRequestContext>> {
        let api = api(database: database, reads: reads, configuration: configuration, gateway: gateway, logger: logger)
        if let reads, !reads.replicas.isEmpty { telemetry?.backends.show(reads) }
        let profile = configuration.profile.settings
        let admission = profile.admission ? AdmissionController(configuration.admission) : nil
        // Browsing the limiter would reject is answered on the event loop, before the router.
        let earlyShed = admission.map { controller in
            EarlyShed(controller: controller, endpoints: api.endpointList,
                      cache: api.cachedAnswers(enabled: configuration.serveCachedUnderOverload, serverName: serverName)) { route, status, duration in
                telemetry?.requestAnswered(route: route, method: "GET", status: status, duration: duration, requestID: nil)
            }
        }
        let pages = configuration.productPagesOnEventLoop
            ? ProductPages(api: api, admission: admission, httpCaching: profile.httpCaching, serverName: serverName,
                           telemetry: telemetry, logger: logger)
            : nil
        var app = Application(
            router: router(api: api, telemetry: telemetry, admission: admission, httpCaching: profile.httpCaching,
                           serveCachedUnderOverload: configuration.serveCachedUnderOverload, logger: logger),
            server: .http1(configuration: .init(additionalChannelHandlers: connectionHandlers(shed: earlyShed, pages: pages))),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: serverName),
            services: [DatabaseService(database: database)] + services + (telemetry?.services(database: database) ?? [])
                + [HoldSweeper(checkout: api.checkout, interval: configuration.sweepInterval, leadership: leadership, logger: logger)]
                + (api.catalog.isCaching ? [CatalogInvalidationListener(database: listen ?? database, catalog: api.catalog, soldOut: api.carts.soldOut, logger: logger)] as [any Service] : []),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? configuration.port) },
            logger: logger
        )
        app.beforeServerStarts(perform: prepare)
        return app
    }
}
