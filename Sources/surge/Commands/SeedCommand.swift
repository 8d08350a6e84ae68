import ArgumentParser
import Database
import Foundation
import Storefront

struct SeedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seed",
        abstract: "Load a deterministic, realistic catalog into an empty store database.",
        discussion: """
            Categories, brands, products with Zipf popularity and log-normal prices, 1-4 variants each,
            stock with some variants sold out; bulk-loaded with COPY in one transaction, secondary indexes
            and foreign keys rebuilt after the load. The same --seed gives the same catalog.
              surge seed --products 1000000 --seed 7
            """
    )

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Number of products to generate.")
    var products: Int = 100_000

    @Option(help: "Random seed (same seed, same catalog).")
    var seed: UInt64 = 42

    @Flag(help: "No progress output.")
    var quiet = false

    func validate() throws {
        guard (1...10_000_000).contains(products) else { throw ValidationError("--products must be from 1 to 10000000") }
    }

    func run() async throws {
        try await CLI.run {
            try await DatabaseSession.with(database) { db in
                try await Migrator().migrate(db)
                let started = ContinuousClock.now
                do {
                    let summary = try await CatalogSeeder(database: db).seed(.init(products: products, seed: seed, quiet: quiet))
                    let elapsed = ContinuousClock.now - started
                    print("seeded \(summary.products) products, \(summary.variants) variants, \(summary.categories) categories, \(summary.brands) brands in \(elapsed.formatted(.units(allowed: [.seconds], fractionalPart: .show(length: 1))))")
                } catch let error as StoreError {
                    throw UsageError(error.detail)
                }
            }
        }
    }
}
