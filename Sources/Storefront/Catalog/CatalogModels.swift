import Foundation

/// An amount of money in integer minor units (cents), never a float.
public struct Money: Codable, Sendable, Equatable {
    public var amountMinor: Int64
    public var currency: String
}

/// A category and its children, as `GET /v1/categories` returns them.
public struct CategoryNode: Codable, Sendable, Equatable {
    public var id: Int
    public var slug: String
    public var name: String
    public var children: [CategoryNode]
}

/// A product in a listing.
public struct ProductSummary: Codable, Sendable, Equatable {
    public var id: Int64
    public var title: String
    public var brand: String
    public var categoryId: Int
    public var price: Money
    public var inStock: Bool
    public var popularity: Int
    public var createdAt: Date
}

/// One purchasable variant of a product.
public struct ProductVariant: Codable, Sendable, Equatable {
    public var id: Int64
    public var sku: String
    public var options: [String: String]
    public var price: Money
    public var available: Int
    public var inStock: Bool
}

/// A product page: the product, its variants with prices and availability.
public struct ProductDetail: Codable, Sendable, Equatable {
    public var id: Int64
    public var title: String
    public var description: String
    public var brand: String
    public var category: CategoryRef
    public var price: Money
    public var availability: String
    public var popularity: Int
    public var createdAt: Date
    public var variants: [ProductVariant]

    public struct CategoryRef: Codable, Sendable, Equatable {
        public var id: Int
        public var slug: String
        public var name: String
    }
}

/// One page of a product listing, with the cursor of the next page (absent on the last page).
public struct ProductPage: Codable, Sendable, Equatable {
    public var items: [ProductSummary]
    public var nextCursor: String?
    /// `fulltext`, `fuzzy` (trigram fallback for typos) or `none` (no `q`).
    public var match: String
    public var facets: Facets?

    public struct Facets: Codable, Sendable, Equatable {
        public var categories: [Count]
        public var brands: [Count]
        public var priceBands: [Count]
    }

    public struct Count: Codable, Sendable, Equatable {
        public var key: String
        public var label: String
        public var count: Int
    }
}
