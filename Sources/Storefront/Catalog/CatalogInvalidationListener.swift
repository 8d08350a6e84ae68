import Database
import Guard
import Logging
import PostgresNIO
import ServiceLifecycle

/// Keeps this instance's catalog cache coherent with the others: LISTENs on `surge_catalog`
/// (NOTIFY from the catalog triggers, payload = product id) and drops the named product's pages.
/// The listening connection comes from the pool; when it breaks, listening resumes after a short,
/// bounded backoff, and the whole cache is dropped since notifications may have been missed.
public struct CatalogInvalidationListener: Service {
    public static let channel = "surge_catalog"

    let database: Database
    let catalog: CatalogService
    /// Cleared on every notification: stock crossing zero notifies, so sold-out variants may be back.
    let soldOut: SoldOutFilter?
    let logger: Logger

    public init(database: Database, catalog: CatalogService, soldOut: SoldOutFilter? = nil, logger: Logger) {
        self.database = database
        self.catalog = catalog
        self.soldOut = soldOut
        self.logger = logger
    }

    public func run() async throws {
        var backoff = Duration.milliseconds(100)
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await database.client.withConnection { connection in
                    try await connection.listen(on: Self.channel) { notifications in
                        // Anything may have changed while nobody listened.
                        catalog.invalidateAll()
                        soldOut?.clear()
                        for try await notification in notifications.cancelOnGracefulShutdown() {
                            soldOut?.clear()
                            if let id = Int64(notification.payload) { catalog.invalidateProduct(id) }
                        }
                    }
                }
                backoff = .milliseconds(100)
            } catch is CancellationError {
                return
            } catch {
                logger.warning("catalog listener lost its connection", metadata: ["error": "\(String(reflecting: error))"])
            }
            try? await Task.sleep(for: backoff)
            backoff = min(backoff * 2, .seconds(2))
        }
    }
}
