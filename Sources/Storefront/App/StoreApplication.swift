import Database
import Hummingbird
import Logging
import ServiceLifecycle
import Telemetry

/// Assembles the store: domain services, the router with its middleware, and background services.
public enum StoreApplication {
    /// The store's API over `database` (whose pool must be running).
    public static func api(database: Database, configuration: StoreConfiguration, gateway: (any PaymentGateway)? = nil,
                           logger: Logger) -> StoreAPI {
        let catalog = CatalogService(database: database)
        let checkout = CheckoutService(database: database, gateway: gateway ?? SimulatedGateway(configuration.payment),
                                       holdTTL: configuration.holdTTL, logger: logger)
        let migrator = try? Migrator()
        return StoreAPI(
            catalog: catalog,
            carts: CartService(database: database),
            checkout: checkout,
            orders: OrderService(database: database),
            deadlines: configuration.deadlines,
            readiness: {
                guard let migrator, let version = try? await migrator.currentVersion(database) else { return false }
                return version >= migrator.latestVersion
            }
        )
    }

    /// A router with every endpoint and the problem+json error handling; with `telemetry`, also
    /// request metrics (outermost, so it sees every answer) and `/metrics`, `/admin/*`, `/dashboard`.
    public static func router(api: StoreAPI, telemetry: Telemetry? = nil) -> Router<StoreRequestContext> {
        let router = Router(context: StoreRequestContext.self)
        if let telemetry { router.add(middleware: TelemetryMiddleware(telemetry: telemetry)) }
        router.add(middleware: ProblemMiddleware())
        if let telemetry { router.addRoutes(telemetry.routes(context: StoreRequestContext.self)) }
        api.register(on: router)
        return router
    }

    /// The runnable application: the database pool, the HTTP server and the hold sweeper, in one
    /// service group with graceful shutdown. `prepare` runs once the pool is up, before the server
    /// accepts connections (migrations, seeding).
    public static func make(
        database: Database, configuration: StoreConfiguration, logger: Logger, telemetry: Telemetry? = nil,
        services: [any Service] = [],
        prepare: @escaping @Sendable () async throws -> Void = {},
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> Application<RouterResponder<StoreRequestContext>> {
        let api = api(database: database, configuration: configuration, logger: logger)
        var app = Application(
            router: router(api: api, telemetry: telemetry),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "surge"),
            services: [database.client] + services + (telemetry?.services(database: database) ?? [])
                + [HoldSweeper(checkout: api.checkout, interval: configuration.sweepInterval, logger: logger)],
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? configuration.port) },
            logger: logger
        )
        app.beforeServerStarts(perform: prepare)
        return app
    }
}
