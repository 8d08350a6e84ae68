import Database
import Foundation
import Logging
import NIOCore
import PostgresNIO
import Reports
import Reproducible

/// Generates a deterministic, realistic catalog and bulk-loads it with COPY: a category tree,
/// brands, products with Zipf popularity and log-normal prices, 1-4 variants each, stock levels with
/// some variants sold out, and one `seed` ledger movement per variant.
public struct CatalogSeeder: Sendable {
    public struct Options: Sendable {
        public var products: Int
        public var seed: UInt64
        /// Share of variants with no stock.
        public var soldOutShare: Double
        public var quiet: Bool

        public init(products: Int, seed: UInt64 = 42, soldOutShare: Double = 0.08, quiet: Bool = false) {
            self.products = products
            self.seed = seed
            self.soldOutShare = soldOutShare
            self.quiet = quiet
        }
    }

    /// What was loaded.
    public struct Summary: Sendable, Equatable {
        public var categories: Int
        public var brands: Int
        public var products: Int
        public var variants: Int
    }

    let database: Database

    public init(database: Database) {
        self.database = database
    }

    static let roots = ["Electronics", "Home", "Garden", "Sports", "Fashion", "Toys", "Books", "Beauty"]
    static let middles = ["Essentials", "Premium", "Outdoor", "Kids", "Pro"]
    static let leaves = ["Classic", "Compact", "Deluxe", "Eco"]
    static let adjectives = ["Wireless", "Ergonomic", "Organic", "Vintage", "Smart", "Portable", "Waterproof", "Handmade",
                             "Lightweight", "Heavy-Duty", "Foldable", "Insulated", "Bamboo", "Carbon", "Ceramic", "Solar"]
    static let nouns = ["Headphones", "Kettle", "Backpack", "Lamp", "Chair", "Jacket", "Blender", "Speaker", "Tent",
                        "Notebook", "Sneakers", "Watch", "Mug", "Drill", "Camera", "Bicycle", "Puzzle", "Serum", "Grill", "Router"]
    static let colors = ["Black", "White", "Red", "Blue", "Green", "Grey"]
    static let sizes = ["S", "M", "L", "XL"]
    static let brandCount = 400

    /// Seeds an empty catalog; refuses (with `validation_failed`) if products already exist.
    public func seed(_ options: Options) async throws -> Summary {
        guard options.products >= 1, options.products <= 10_000_000 else {
            throw StoreError.validation("products must be from 1 to 10000000")
        }
        let existing = try await database.query("SELECT count(*)::int FROM products").first?.decode(Int.self) ?? 0
        guard existing == 0 else {
            throw StoreError.validation("the catalog already has \(existing) products: seed into an empty database")
        }
        // The seed's first statements take ACCESS EXCLUSIVE locks table by table (DeferredIndexes), the
        // opposite order of a product page's statement (products, brands, categories, ...): a page, or
        // a pipelined connection preparing that statement, between two of them closes a cycle, and
        // PostgreSQL aborts one side (40P01) after deadlock_timeout. Everything rolled back, so the
        // seed runs again; the reader has finished by then.
        var attempt = 1
        while true {
            do {
                return try await seedOnce(options)
            } catch let error as PSQLError where error.sqlState == "40P01" && attempt < Self.deadlockAttempts {
                database.logger.warning("seeding lost a deadlock to a concurrent reader; seeding again",
                                        metadata: ["attempt": "\(attempt)"])
                attempt += 1
            }
        }
    }

    /// How many times a seed that lost a deadlock runs.
    static let deadlockAttempts = 3

    private func seedOnce(_ options: Options) async throws -> Summary {
        try await database.withConnection { connection in
            let raw = connection.raw
            let logger = database.logger
            var categoryLines: [String] = []
            var leafIDs: [Int] = []
            var nextID = 1
            for root in Self.roots {
                let rootID = nextID; nextID += 1
                categoryLines.append("\(rootID)\t\\N\t\(root.lowercased())\t\(root)\t0")
                for middle in Self.middles {
                    let middleID = nextID; nextID += 1
                    categoryLines.append("\(middleID)\t\(rootID)\t\(root.lowercased())-\(middle.lowercased())\t\(root) \(middle)\t1")
                    for leaf in Self.leaves {
                        let leafID = nextID; nextID += 1
                        leafIDs.append(leafID)
                        categoryLines.append("\(leafID)\t\(middleID)\t\(root.lowercased())-\(middle.lowercased())-\(leaf.lowercased())\t\(leaf) \(middle) \(root)\t2")
                    }
                }
            }
            var random = SplitMix64(seed: options.seed)
            let brandLines = (1...Self.brandCount).map { id in "\(id)\t\(Self.brandName(id, &random))" }
            let generator = CatalogGenerator(products: options.products, soldOutShare: options.soldOutShare, leafIDs: leafIDs, random: random)

            // One transaction: load into index-free tables, then build the indexes and check the keys
            // once (see DeferredIndexes for what an interruption leaves behind: the schema intact).
            try await connection.query("BEGIN")
            do {
                // Index builds on a large catalog take minutes: bounded, but not by the request limits.
                try await connection.query("""
                    SELECT set_config('statement_timeout', '30min', true), set_config('lock_timeout', '1min', true),
                           set_config('maintenance_work_mem', '256MB', true)
                    """)
                let deferred = try await DeferredIndexes.drop(tables: Self.loadedTables, on: connection)
                try await copy(raw, "categories", ["id", "parent_id", "slug", "name", "depth"], Self.text(categoryLines), logger: logger)
                try await copy(raw, "brands", ["id", "name"], Self.text(brandLines), logger: logger)
                let variants = try await load(generator, options: options, connection: raw, logger: logger)
                try await deferred.restore(on: connection)
                try await connection.query("COMMIT")
                try await connection.query("ANALYZE")
                return Summary(categories: categoryLines.count, brands: Self.brandCount, products: options.products, variants: Int(variants))
            } catch {
                _ = try? await connection.query("ROLLBACK")
                throw error
            }
        }
    }

    /// The tables a seed writes, whose indexes, keys and triggers wait until the rows are in.
    static let loadedTables = ["categories", "brands", "products", "variants", "stock", "stock_movements"]

    /// Products per generated batch (about 1.5 MB of COPY text with their variants, stock and ledger).
    static let batchSize = 10_000

    /// COPYs the generated batches, generating the next batch while the server takes the current
    /// one (two batches in memory at most). Returns the number of variants.
    private func load(_ generator: CatalogGenerator, options: Options, connection: PostgresConnection, logger: Logger) async throws -> Int64 {
        let progress = ProgressBar(label: "seeding products", total: options.products, quiet: options.quiet)
        var generator = generator
        var current = generator.next(size: Self.batchSize)
        while let batch = current {
            let state = generator
            async let following = Self.advance(state)
            try await copy(connection, "products", ["id", "category_id", "brand_id", "title", "description", "price_minor", "currency", "popularity", "created_at"], batch.products, logger: logger)
            try await copy(connection, "variants", ["id", "product_id", "sku", "options", "price_minor", "currency"], batch.variants, logger: logger)
            try await copy(connection, "stock", ["variant_id", "on_hand", "reserved"], batch.stock, logger: logger)
            try await copy(connection, "stock_movements", ["variant_id", "on_hand_delta", "reserved_delta", "reason"], batch.movements, logger: logger)
            progress.advance(by: batch.count)
            (generator, current) = await following
        }
        progress.finish()
        return generator.variantCount
    }

    private static func advance(_ generator: CatalogGenerator) async -> (CatalogGenerator, CatalogGenerator.Batch?) {
        var generator = generator
        let batch = generator.next(size: batchSize)
        return (generator, batch)
    }

    private static func text(_ lines: [String]) -> ByteBuffer {
        var buffer = ByteBuffer()
        for line in lines {
            buffer.writeString(line)
            buffer.writeInteger(UInt8(ascii: "\n"))
        }
        return buffer
    }

    private func copy(_ connection: PostgresConnection, _ table: String, _ columns: [String], _ text: ByteBuffer, logger: Logger) async throws {
        try await connection.copyFrom(table: table, columns: columns, logger: logger) { writer in
            var remaining = text
            // Chunks of 256 KiB keep each write (and the copy NIO makes of it) small.
            while remaining.readableBytes > 0, let chunk = remaining.readSlice(length: min(remaining.readableBytes, 256 * 1024)) {
                try await writer.write(chunk)
            }
        }
    }

    static func brandName(_ id: Int, _ random: inout SplitMix64) -> String {
        let syllables = ["ac", "ve", "lo", "tri", "no", "za", "mi", "ka", "ro", "su", "te", "xa"]
        let name = (0..<3).map { _ in syllables[random.index(syllables.count)] }.joined()
        return name.prefix(1).uppercased() + name.dropFirst() + " \(id)"
    }

    private static let modelLetters = Array("ABCDEFGHJKLMNPQRSTUVWXYZ")

    static func modelCode(_ id: Int) -> String {
        let letters = modelLetters
        return "\(letters[id % letters.count])\(letters[(id / letters.count) % letters.count])-\(id % 1000)"
    }
}
