import Database
import Foundation
import Guard
import PostgresNIO
import Synchronization

/// Reads the catalog: the category tree, product listings with search and facets, product pages.
public final class CatalogService: Sendable {
    let database: Database
    /// Where catalog reads go: a usable replica or the primary (`nil`: always `database`).
    let reads: ReadRouter?
    private let tree = Mutex<CategoryTree?>(nil)
    /// Product pages (their JSON) by id (single-flight, byte-bounded, TTL with early refresh); `nil`
    /// in the naive profile or when the cache is sized 0.
    let productCache: SingleFlightCache<Int64, ByteBuffer>?
    /// Listing pages by their validated query; short-lived, since one product change can touch many pages.
    let listingCache: SingleFlightCache<String, ProductPage>?

    /// - Parameters:
    ///   - reads: routes catalog reads to replicas (`nil`: every read on `database`).
    ///   - cacheBytes: byte budget of the product page cache; 0 disables it.
    public init(database: Database, reads: ReadRouter? = nil, cacheBytes: Int = 0) {
        self.database = database
        self.reads = reads
        self.productCache = cacheBytes > 0
            ? SingleFlightCache(name: "product", .init(budgetBytes: cacheBytes, ttl: .seconds(30), staleFor: .seconds(30)))
            : nil
        self.listingCache = cacheBytes > 0
            ? SingleFlightCache(name: "listing", .init(budgetBytes: cacheBytes / 2, ttl: .seconds(5), staleFor: .seconds(10)))
            : nil
    }

    /// Forgets cached pages of `product` (a price, stock or text change).
    public func invalidateProduct(_ id: Int64) {
        // Before the cache forgets: a reload must not come from a replica that has not replayed the change.
        reads?.wrote()
        productCache?.invalidate(id)
        listingCache?.invalidateAll()
    }

    /// Forgets every cached page (the invalidation feed was interrupted).
    public func invalidateAll() {
        reads?.wrote()
        productCache?.invalidateAll()
        listingCache?.invalidateAll()
        invalidateCategories()
    }

    /// Whether pages are cached (and so need `CatalogInvalidationListener`).
    public var isCaching: Bool { productCache != nil }

    /// Whether the product page of `id` can be answered from the cache now, without a query.
    public func canAnswerProduct(id: Int64) -> Bool { productCache?.canServe(id) ?? false }

    /// Whether the listing page whose cache key is `key` (`ProductQuery.cacheKey`) can be answered
    /// from the cache now, without a query.
    public func canAnswerListing(key: String) -> Bool { listingCache?.canServe(key) ?? false }

    /// The cached page of `id` if it can be served now (fresh or stale), without a query or a refresh.
    public func cachedProductJSON(id: Int64) -> ByteBuffer? { productCache?.cached(id) }

    /// Whether the category tree is loaded (it stays until invalidated).
    public var canAnswerCategories: Bool { isCaching && tree.withLock { $0 != nil } }

    private static var notCached: StoreError {
        .overloaded("the store is at capacity: retry shortly")
    }

    /// The category tree, loaded on first use and kept until `invalidateCategories()`.
    public func categories(read: CatalogRead = .loadIfNeeded) async throws -> CategoryTree {
        if let cached = tree.withLock({ $0 }) { return cached }
        if read == .cacheOnly { throw Self.notCached }
        let rows = try await self.read { try await $0.query(CatalogSQL.categories) }.map { row in
            let (id, parent, slug, name) = try row.decode((Int, Int?, String, String).self)
            return CategoryTree.Row(id: id, parentID: parent, slug: slug, name: name)
        }
        let loaded = CategoryTree(rows: rows)
        tree.withLock { $0 = loaded }
        return loaded
    }

    public func invalidateCategories() {
        tree.withLock { $0 = nil }
    }

    /// One product page, or `not_found`.
    public func product(id: Int64, read: CatalogRead = .loadIfNeeded) async throws -> ProductDetail {
        try ProductDetail.decode(json: try await productJSON(id: id, read: read))
    }

    /// One product page as the JSON the API serves (built by PostgreSQL, passed through), or `not_found`.
    public func productJSON(id: Int64, read: CatalogRead = .loadIfNeeded) async throws -> ByteBuffer {
        guard let productCache else { return try await loadProductJSON(id: id) }
        if read == .cacheOnly {
            guard let page = cachedProductJSON(id: id) else { throw Self.notCached }
            return page
        }
        return try await productCache.value(for: id, size: { 64 + $0.readableBytes }) {
            // A cached page must not keep the connection's whole read buffer alive: copy its bytes out.
            var copy = ByteBuffer()
            var loaded = try await loadProductJSON(id: id)
            copy.writeBuffer(&loaded)
            return copy
        }
    }

    /// The statements `StatementPipeline` should prepare for this service (`loadProductJSON`).
    public static let pipelinedStatements = [ProductDetailStatement.pipelined]

    private func loadProductJSON(id: Int64) async throws -> ByteBuffer {
        let json: ByteBuffer?? = try await read { database in
            if let rows = try await database.pipelined(ProductDetailStatement.pipelined, [.int64(id)]) {
                return rows.first
            }
            return try await database.withConnection { try await $0.execute(ProductDetailStatement(id: id)) }.first.map { $0 }
        }
        guard let found = json, let json = found else { throw StoreError.notFound("product \(id) does not exist") }
        return json
    }

    /// Runs a catalog read where `reads` sends it (a usable replica or the primary).
    private func read<Result: Sendable>(_ body: (Database) async throws -> Result) async throws -> Result {
        guard let reads else { return try await body(database) }
        return try await reads.read(body)
    }

    /// One page of products matching the query.
    public func products(_ query: ProductQuery, read: CatalogRead = .loadIfNeeded) async throws -> ProductPage {
        guard let listingCache else { return try await loadProducts(query) }
        let key = query.cacheKey
        if read == .cacheOnly {
            guard let page = listingCache.cached(key) else { throw Self.notCached }
            return page
        }
        return try await listingCache.value(for: key, size: \.estimatedBytes) {
            try await loadProducts(query)
        }
    }

    private func loadProducts(_ query: ProductQuery) async throws -> ProductPage {
        var categoryIDs: [Int]? = nil
        if let category = query.categoryID {
            let tree = try await categories()
            guard tree.contains(category) else { throw StoreError.notFound("category \(category) does not exist") }
            categoryIDs = tree.subtree(of: category)
        }
        var match = query.text == nil ? "none" : (query.cursor?.match ?? "fulltext")
        var page = try await listing(query, categoryIDs: categoryIDs, match: match)
        if match == "fulltext" && page.items.isEmpty && query.cursor == nil {
            // Nothing matched the words as typed: fall back to trigram similarity (typos, fragments).
            match = "fuzzy"
            page = try await listing(query, categoryIDs: categoryIDs, match: match)
        }
        if query.facets {
            page.facets = try await facets(query, categoryIDs: categoryIDs, match: match)
        }
        return page
    }

    private func listing(_ query: ProductQuery, categoryIDs: [Int]?, match: String) async throws -> ProductPage {
        var builder = ListingSQL(query: query, categoryIDs: categoryIDs, match: match)
        let statement = builder.page()
        let rows = try await read { try await $0.query(statement) }
        var items: [ProductSummary] = []
        var lastKey: Int64 = 0
        for row in rows {
            let (id, title, brand, category, price, currency, popularity, created, inStock, key) =
                try row.decode((Int64, String, String, Int, Int64, String, Int, Date, Bool, Int64).self)
            items.append(ProductSummary(
                id: id, title: title, brand: brand, categoryId: category,
                price: Money(amountMinor: price, currency: currency), inStock: inStock,
                popularity: popularity, createdAt: created
            ))
            lastKey = key
        }
        var next: String? = nil
        if items.count > query.limit {
            items.removeLast()
            // The key of the last row actually returned.
            let lastRow = rows[query.limit - 1]
            lastKey = try lastRow.decode((Int64, String, String, Int, Int64, String, Int, Date, Bool, Int64).self).9
            next = ListingCursor(sort: query.sort.rawValue, key: lastKey, id: items[items.count - 1].id,
                                 match: match == "none" ? nil : match).encoded
        }
        return ProductPage(items: items, nextCursor: next, match: match, facets: nil)
    }

    private func facets(_ query: ProductQuery, categoryIDs: [Int]?, match: String) async throws -> ProductPage.Facets {
        var builder = ListingSQL(query: query, categoryIDs: categoryIDs, match: match)
        let statement = builder.facets()
        let rows = try await read { try await $0.query(statement) }
        let tree = try await categories()
        var result = ProductPage.Facets(categories: [], brands: [], priceBands: [])
        for row in rows {
            let (kind, key, label, count) = try row.decode((String, String, String, Int).self)
            switch kind {
            case "category":
                let name = Int(key).flatMap { tree.row($0)?.name } ?? label
                result.categories.append(.init(key: key, label: name, count: count))
            case "brand": result.brands.append(.init(key: key, label: label, count: count))
            default: result.priceBands.append(.init(key: key, label: label, count: count))
            }
        }
        return result
    }
}

/// Named SQL of the catalog reads.
enum CatalogSQL {
    static let categories: PostgresQuery = "SELECT id, parent_id, slug, name FROM categories ORDER BY id"
}

extension ProductPage {
    /// Rough memory footprint, for the cache's byte budget.
    var estimatedBytes: Int {
        let items = self.items.reduce(0) { $0 + 160 + $1.title.utf8.count + $1.brand.utf8.count }
        let facetBytes = facets.map { f in (f.categories + f.brands + f.priceBands).reduce(0) { $0 + 64 + $1.label.utf8.count } } ?? 0
        return 128 + items + facetBytes + (nextCursor?.utf8.count ?? 0)
    }
}
