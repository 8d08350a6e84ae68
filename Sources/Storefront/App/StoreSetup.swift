import Database
import Logging

/// Makes a database ready for the store: migrated, and seeded if its catalog is empty.
///
/// `surge serve` runs this on a session of its own before any of the store's services starts. It
/// used to run it with the services already running (Hummingbird's `beforeServerStarts`), and on a new
/// data directory the pipelined connections were preparing the product-page statement, over and over
/// (42P01 until the tables existed), while the seed took its catalog locks: one of those prepares
/// between two of the seed's locks was a deadlock, and once in a few starts PostgreSQL chose the seed
/// (`SeedDeadlockTests` reproduces it). Nothing else touches the catalog now until it is ready.
public enum StoreSetup {
    public struct Options: Sendable {
        public var seedProducts: Int
        public var seed: UInt64
        /// A private server's role is a superuser: it can create pg_stat_statements in directories made
        /// before `LocalPostgres.initialize` did.
        public var createStatementStatistics: Bool
        public var quiet: Bool
        /// Share of variants seeded sold out (a drill seeds none: its journeys then fail only for the store's faults).
        public var soldOutShare: Double

        public init(seedProducts: Int, seed: UInt64, createStatementStatistics: Bool, quiet: Bool = false, soldOutShare: Double = 0.08) {
            self.soldOutShare = soldOutShare
            self.seedProducts = seedProducts
            self.seed = seed
            self.createStatementStatistics = createStatementStatistics
            self.quiet = quiet
        }
    }

    public static func prepare(_ database: Database, _ options: Options, logger: Logger) async throws {
        let applied = try await Migrator().migrate(database)
        if !applied.isEmpty { logger.info("migrated", metadata: ["versions": "\(applied)"]) }
        if options.createStatementStatistics {
            try await database.query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        }
        let count = try await database.query("SELECT count(*)::int FROM products").first?.decode(Int.self) ?? 0
        if count == 0 && options.seedProducts > 0 {
            let summary = try await CatalogSeeder(database: database).seed(.init(products: options.seedProducts, seed: options.seed, soldOutShare: options.soldOutShare, quiet: options.quiet))
            logger.info("seeded catalog", metadata: ["products": "\(summary.products)", "variants": "\(summary.variants)"])
        }
    }
}
