import Database
import Foundation
import NIOCore
import PostgresNIO

/// `GET /v1/products/{id}`: the whole response body, built by PostgreSQL in one round trip as a
/// prepared statement (parsed once per connection): the product, its brand and category, and its
/// variants with stock.
///
/// The store passes the bytes through as they come (no decode into `ProductDetail` and re-encode):
/// on the hot path that round trip cost more CPU than the query. The object keys are listed in
/// sorted order, as `StoreJSON` writes them, and `created_at` is ISO 8601 in UTC to the second, as
/// `JSONEncoder.DateEncodingStrategy.iso8601` writes it, so the document is the one `ProductDetail`
/// would encode to (up to whitespace); `productDetailJSONMatchesTheCodableModel` checks it. The
/// colons of the time format are quoted (`":"`) so that pgbench, which reads `:name` anywhere as a
/// variable, can run this exact text beside the store (Benchmarks/store-vs-pgbench.sh).
struct ProductDetailStatement: PostgresPreparedStatement {
    typealias Row = ByteBuffer

    static let name = "product_detail_v2"

    static let sql = """
        SELECT json_build_object(
                   'availability', CASE WHEN v.in_stock THEN 'in_stock' ELSE 'sold_out' END,
                   'brand', b.name,
                   'category', json_build_object('id', c.id, 'name', c.name, 'slug', c.slug),
                   'created_at', to_char(p.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24":"MI":"SS"Z"'),
                   'description', p.description,
                   'id', p.id,
                   'popularity', p.popularity,
                   'price', json_build_object('amount_minor', p.price_minor, 'currency', p.currency),
                   'title', p.title,
                   'variants', v.list)::text
        FROM products p
        JOIN brands b ON b.id = p.brand_id
        JOIN categories c ON c.id = p.category_id
        CROSS JOIN LATERAL (
            SELECT coalesce(json_agg(json_build_object(
                       'available', s.on_hand - s.reserved, 'id', pv.id, 'in_stock', s.on_hand > s.reserved,
                       'options', pv.options,
                       'price', json_build_object('amount_minor', pv.price_minor, 'currency', pv.currency),
                       'sku', pv.sku) ORDER BY pv.id), '[]') AS list,
                   coalesce(bool_or(s.on_hand > s.reserved), false) AS in_stock
            FROM variants pv JOIN stock s ON s.variant_id = pv.id
            WHERE pv.product_id = p.id
        ) v
        WHERE p.id = $1
        """

    /// The same statement for `StatementPipeline` (text results: the JSON's bytes as they are).
    static let pipelined = PipelinedStatement(name: "product_detail_p2", sql: sql, parameterTypes: [.int8])

    var id: Int64

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 1)
        bindings.append(id)
        return bindings
    }

    /// The JSON text's bytes, as received (a slice of the connection's read buffer).
    func decodeRow(_ row: PostgresRow) throws -> ByteBuffer {
        try row.decode(ByteBuffer.self)
    }
}

extension ProductDetail {
    /// Decodes the JSON the product page is served as.
    static func decode(json: ByteBuffer) throws -> ProductDetail {
        try decoder.decode(ProductDetail.self, from: Data(json.readableBytesView))
    }

    private static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()
}
