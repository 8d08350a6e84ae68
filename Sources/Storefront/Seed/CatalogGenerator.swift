import Foundation
import NIOCore
import Reproducible

/// The deterministic catalog, generated batch by batch as COPY text (tab-separated lines): the same
/// seed gives the same bytes, in the same order of random draws as ever (`seederIsDeterministic…`).
struct CatalogGenerator: Sendable {
    /// Products, variants, stock and ledger rows of consecutive product ids, as COPY text.
    struct Batch: Sendable {
        var products = ByteBuffer()
        var variants = ByteBuffer()
        var stock = ByteBuffer()
        var movements = ByteBuffer()
        var count = 0
    }

    let products: Int
    let soldOutShare: Double
    let leafIDs: [Int]
    private(set) var random: SplitMix64
    private(set) var nextProduct = 1
    private(set) var variantCount: Int64 = 0

    /// 2024-01-01 00:00:00 UTC: fixed, so seeds are reproducible.
    static let baseEpochSeconds = 1_704_067_200

    init(products: Int, soldOutShare: Double, leafIDs: [Int], random: SplitMix64) {
        self.products = products
        self.soldOutShare = soldOutShare
        self.leafIDs = leafIDs
        self.random = random
    }

    /// The next `size` products (fewer at the end), or nil when all were generated.
    mutating func next(size: Int) -> Batch? {
        guard nextProduct <= products else { return nil }
        let end = min(products, nextProduct + size - 1)
        var batch = Batch()
        batch.products.reserveCapacity((end - nextProduct + 1) * 180)
        batch.variants.reserveCapacity((end - nextProduct + 1) * 140)
        for id in nextProduct...end {
            let nounIndex = random.index(CatalogSeeder.nouns.count)
            let noun = CatalogSeeder.nouns[nounIndex]
            let adjective = CatalogSeeder.adjectives[random.index(CatalogSeeder.adjectives.count)]
            let brandID = random.zipf(n: CatalogSeeder.brandCount, s: 1.1)
            let model = CatalogSeeder.modelCode(id)
            let title = "\(adjective) \(noun) \(model)"
            let description = "A \(adjective.lowercased()) \(noun.lowercased()) by brand \(brandID), built to last. Model \(model)."
            let category = leafIDs[(nounIndex * 7 + random.index(8)) % leafIDs.count]
            // Zipf popularity: a few products get most of the views.
            let rank = Int((UInt64(id) &* 2_654_435_761) % UInt64(products)) + 1
            let popularity = Int(1_000_000 / pow(Double(rank), 1.07))
            let basePrice = Int64(min(500_000, max(99, exp(log(3500) + 1.0 * random.normal()))))
            let created = Self.baseEpochSeconds + random.index(730 * 86_400)
            let variants = 1 + random.index(4)
            var lowest = Int64.max
            let sized = noun == "Jacket" || noun == "Sneakers"
            for v in 0..<variants {
                variantCount += 1
                let price = (basePrice + Int64(v) * basePrice / 10) / 100 * 100 + 99
                lowest = min(lowest, price)
                let optionJSON = sized ? "{\"size\": \"\(CatalogSeeder.sizes[v % 4])\"}" : "{\"color\": \"\(CatalogSeeder.colors[(id + v) % 6])\"}"
                batch.variants.writeString("\(variantCount)\t\(id)\tSKU-\(id)-\(v + 1)\t\(optionJSON)\t\(price)\tUSD\n")
                let onHand = random.uniform() < soldOutShare ? 0 : 1 + random.index(200)
                batch.stock.writeString("\(variantCount)\t\(onHand)\t0\n")
                batch.movements.writeString("\(variantCount)\t\(onHand)\t0\tseed\n")
            }
            batch.products.writeString(
                "\(id)\t\(category)\t\(brandID)\t\(title)\t\(description)\t\(lowest)\tUSD\t\(popularity)\t\(Self.timestamp(epochSeconds: created))\n")
        }
        batch.count = end - nextProduct + 1
        nextProduct = end + 1
        return batch
    }

    /// `2024-03-05T12:00:00Z`: what `ISO8601DateFormatter` writes with `.withInternetDateTime` in
    /// UTC, without building a formatter per row (that cost more than the rest of the row).
    static func timestamp(epochSeconds: Int) -> String {
        let days = epochSeconds.floorDiv(86_400)
        let secondOfDay = epochSeconds - days * 86_400
        // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
        let z = days + 719_468
        let era = z.floorDiv(146_097)
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return "\(year)-\(two(month))-\(two(day))T\(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60))Z"
    }

    private static func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}

extension Int {
    /// Division rounding toward negative infinity.
    fileprivate func floorDiv(_ divisor: Int) -> Int {
        let (q, r) = quotientAndRemainder(dividingBy: divisor)
        return r < 0 ? q - 1 : q
    }
}
