import Foundation
import PostgresNIO

/// `GET /v1/products/{id}`: the product, its brand and category, and its variants with stock, in one
/// round trip as a prepared statement (parsed once per connection).
struct ProductDetailStatement: PostgresPreparedStatement {
    typealias Row = ProductDetail

    static let name = "product_detail_v1"

    static let sql = """
        SELECT p.id, p.title, p.description, b.name, c.id, c.slug, c.name, p.price_minor, p.currency,
               p.popularity, p.created_at,
               coalesce((SELECT json_agg(json_build_object(
                            'id', v.id, 'sku', v.sku, 'options', v.options, 'price_minor', v.price_minor,
                            'currency', v.currency, 'available', s.on_hand - s.reserved) ORDER BY v.id)
                         FROM variants v JOIN stock s ON s.variant_id = v.id
                         WHERE v.product_id = p.id), '[]')::text
        FROM products p
        JOIN brands b ON b.id = p.brand_id
        JOIN categories c ON c.id = p.category_id
        WHERE p.id = $1
        """

    var id: Int64

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 1)
        bindings.append(id)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> ProductDetail {
        let (id, title, description, brand, categoryID, categorySlug, categoryName, price, currency, popularity, created, variantsJSON) =
            try row.decode((Int64, String, String, String, Int, String, String, Int64, String, Int, Date, String).self)
        let variants = try JSONDecoder().decode([VariantRow].self, from: Data(variantsJSON.utf8)).map { variant in
            ProductVariant(
                id: variant.id, sku: variant.sku, options: variant.options,
                price: Money(amountMinor: variant.price_minor, currency: variant.currency),
                available: variant.available, inStock: variant.available > 0
            )
        }
        return ProductDetail(
            id: id, title: title, description: description, brand: brand,
            category: .init(id: categoryID, slug: categorySlug, name: categoryName),
            price: Money(amountMinor: price, currency: currency),
            availability: variants.contains(where: \.inStock) ? "in_stock" : "sold_out",
            popularity: popularity, createdAt: created, variants: variants
        )
    }

    private struct VariantRow: Decodable {
        var id: Int64
        var sku: String
        var options: [String: String]
        var price_minor: Int64
        var currency: String
        var available: Int
    }
}
