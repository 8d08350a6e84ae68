import Database
import Foundation
import Logging
import NIOCore
import PostgresNIO
import Reports

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
        return try await database.withConnection { connection in
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
            try await copy(raw, "categories", ["id", "parent_id", "slug", "name", "depth"], categoryLines, logger: logger)
            var random = SplitMix64(seed: options.seed)
            let brandLines = (1...Self.brandCount).map { id in "\(id)\t\(Self.brandName(id, &random))" }
            try await copy(raw, "brands", ["id", "name"], brandLines, logger: logger)

            let progress = ProgressBar(label: "seeding products", total: options.products, quiet: options.quiet)
            var variantID: Int64 = 0
            let batch = 5_000
            let base = Date(timeIntervalSince1970: 1_704_067_200) // 2024-01-01: fixed, so seeds are reproducible
            var start = 1
            while start <= options.products {
                let end = min(options.products, start + batch - 1)
                var products: [String] = [], variants: [String] = [], stock: [String] = [], movements: [String] = []
                products.reserveCapacity(batch)
                for id in start...end {
                    let nounIndex = random.index(Self.nouns.count)
                    let noun = Self.nouns[nounIndex]
                    let adjective = Self.adjectives[random.index(Self.adjectives.count)]
                    let brandID = random.zipf(n: Self.brandCount, s: 1.1)
                    let title = "\(adjective) \(noun) \(Self.modelCode(id))"
                    let description = "A \(adjective.lowercased()) \(noun.lowercased()) by brand \(brandID), built to last. Model \(Self.modelCode(id))."
                    let category = leafIDs[(nounIndex * 7 + random.index(8)) % leafIDs.count]
                    // Zipf popularity: a few products get most of the views.
                    let rank = Int((UInt64(id) &* 2_654_435_761) % UInt64(options.products)) + 1
                    let popularity = Int(1_000_000 / pow(Double(rank), 1.07))
                    let basePrice = Int64(min(500_000, max(99, exp(log(3500) + 1.0 * random.normal()))))
                    let created = base.addingTimeInterval(Double(random.index(730 * 86_400)))
                    let variantCount = 1 + random.index(4)
                    var lowest = Int64.max
                    for v in 0..<variantCount {
                        variantID += 1
                        let price = (basePrice + Int64(v) * basePrice / 10) / 100 * 100 + 99
                        lowest = min(lowest, price)
                        let optionJSON = noun == "Jacket" || noun == "Sneakers"
                            ? "{\"size\": \"\(Self.sizes[v % 4])\"}" : "{\"color\": \"\(Self.colors[(id + v) % 6])\"}"
                        variants.append("\(variantID)\t\(id)\tSKU-\(id)-\(v + 1)\t\(optionJSON)\t\(price)\tUSD")
                        let onHand = random.uniform() < options.soldOutShare ? 0 : 1 + random.index(200)
                        stock.append("\(variantID)\t\(onHand)\t0")
                        movements.append("\(variantID)\t\(onHand)\t0\tseed")
                    }
                    products.append("\(id)\t\(category)\t\(brandID)\t\(title)\t\(description)\t\(lowest)\tUSD\t\(popularity)\t\(Self.timestamp(created))")
                }
                try await copy(raw, "products", ["id", "category_id", "brand_id", "title", "description", "price_minor", "currency", "popularity", "created_at"], products, logger: logger)
                try await copy(raw, "variants", ["id", "product_id", "sku", "options", "price_minor", "currency"], variants, logger: logger)
                try await copy(raw, "stock", ["variant_id", "on_hand", "reserved"], stock, logger: logger)
                try await copy(raw, "stock_movements", ["variant_id", "on_hand_delta", "reserved_delta", "reason"], movements, logger: logger)
                progress.advance(by: end - start + 1)
                start = end + 1
            }
            progress.finish()
            try await connection.query("ANALYZE")
            return Summary(categories: categoryLines.count, brands: Self.brandCount, products: options.products, variants: Int(variantID))
        }
    }

    private func copy(_ connection: PostgresConnection, _ table: String, _ columns: [String], _ lines: [String], logger: Logger) async throws {
        try await connection.copyFrom(table: table, columns: columns, logger: logger) { writer in
            var buffer = ByteBuffer()
            for line in lines {
                buffer.writeString(line)
                buffer.writeInteger(UInt8(ascii: "\n"))
                if buffer.readableBytes > 256 * 1024 {
                    try await writer.write(buffer)
                    buffer.clear()
                }
            }
            if buffer.readableBytes > 0 { try await writer.write(buffer) }
        }
    }

    static func brandName(_ id: Int, _ random: inout SplitMix64) -> String {
        let syllables = ["ac", "ve", "lo", "tri", "no", "za", "mi", "ka", "ro", "su", "te", "xa"]
        let name = (0..<3).map { _ in syllables[random.index(syllables.count)] }.joined()
        return name.prefix(1).uppercased() + name.dropFirst() + " \(id)"
    }

    static func modelCode(_ id: Int) -> String {
        let letters = Array("ABCDEFGHJKLMNPQRSTUVWXYZ")
        return "\(letters[id % letters.count])\(letters[(id / letters.count) % letters.count])-\(id % 1000)"
    }

    static func timestamp(_ date: Date) -> String {
        ISO8601DateFormatter.string(from: date, timeZone: .gmt, formatOptions: [.withInternetDateTime])
    }
}

/// A small, fast, deterministic PRNG (SplitMix64), so `--seed S` always gives the same catalog.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    public mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }

    /// Uniform in 0..<n.
    public mutating func index(_ n: Int) -> Int { Int(next() % UInt64(n)) }

    /// Standard normal (Box-Muller).
    public mutating func normal() -> Double {
        let u = max(uniform(), Double.ulpOfOne)
        return (-2 * log(u)).squareRoot() * cos(2 * .pi * uniform())
    }

    /// Zipf-distributed in 1...n (rejection-free approximation by inverse CDF of the continuous law).
    public mutating func zipf(n: Int, s: Double) -> Int {
        let u = uniform()
        let exponent = 1 - s
        let value = pow(u * (pow(Double(n) + 0.5, exponent) - pow(0.5, exponent)) + pow(0.5, exponent), 1 / exponent)
        return min(n, max(1, Int(value.rounded())))
    }
}
