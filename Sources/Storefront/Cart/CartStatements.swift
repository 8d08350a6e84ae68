import Foundation
import PostgresNIO

// The cart journey's statements as named prepared statements: parsed once per connection, and after
// PostgreSQL's first few executions planned once (a generic plan: every one is a primary-key lookup).
// Under a 10× surge parsing and planning took more of PostgreSQL's CPU than executing did
// (BENCHMARKS.md, overload session 4), and these three are most of the statements admission lets in.

/// `POST /v1/carts`: one round trip, the row the INSERT returns is the whole (empty) cart.
struct CreateCartStatement: PostgresPreparedStatement {
    typealias Row = (String, Int, String)
    static let name = "surge_cart_create_v1"
    static let sql = """
        INSERT INTO carts (id, token, currency) VALUES ($1, $2, $3)
        RETURNING status, version, currency::text
        """

    var id: UUID
    var token: String
    var currency: String

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 3)
        bindings.append(id)
        bindings.append(token)
        bindings.append(currency)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
}

/// Add-to-cart in one statement: the availability check, the cart's version bump (its row lock orders
/// concurrent changes) and the line upsert commit together or not at all. Columns: the variant's
/// availability (NULL: no such variant), the cart's new version (NULL: not applied), and the cart's
/// status and version as the statement found them (NULL: no such cart, or not this token).
struct AddItemStatement: PostgresPreparedStatement {
    typealias Row = (Int?, Int?, String?, Int?)
    static let name = "surge_cart_add_item_v1"
    static let sql = """
        WITH variant AS (
            SELECT coalesce(s.on_hand - s.reserved, 0) AS available
            FROM variants v LEFT JOIN stock s ON s.variant_id = v.id WHERE v.id = $1
        ), cart AS (
            UPDATE carts SET version = version + 1, updated_at = now()
            WHERE id = $2 AND token = $3 AND status = 'open'
              AND ($4::bigint IS NULL OR version = $4::bigint)
              AND (SELECT available FROM variant) > 0
            RETURNING version
        ), line AS (
            INSERT INTO cart_lines (cart_id, variant_id, quantity)
            SELECT $2, $1, $5 FROM cart
            ON CONFLICT (cart_id, variant_id) DO UPDATE SET quantity = cart_lines.quantity + EXCLUDED.quantity
            RETURNING id
        )
        SELECT (SELECT available FROM variant), (SELECT version FROM cart), c.status, c.version
        FROM (SELECT) AS one LEFT JOIN carts c ON c.id = $2 AND c.token = $3
        """
    static let bindingDataTypes: [PostgresDataType] = [.int8, .uuid, .text, .int8, .int4]

    var cartID: UUID
    var token: String
    var expectedVersion: Int?
    var variantID: Int64
    var quantity: Int

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 5)
        bindings.append(variantID)
        bindings.append(cartID)
        bindings.append(token)
        if let expectedVersion { bindings.append(Int64(expectedVersion)) } else { bindings.appendNull() }
        bindings.append(Int32(quantity))
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
}

/// A cart with its lines in one round trip: the cart row, and one row per line (line columns NULL
/// for an empty cart).
struct LoadCartStatement: PostgresPreparedStatement {
    typealias Row = (String, Int, String, Int64?, Int64?, Int64?, String?, String?, Int?, Int64?, String?)
    static let name = "surge_cart_load_v1"
    static let sql = """
        SELECT c.status, c.version, c.currency::text,
               l.id, l.variant_id, v.product_id, v.sku, p.title, l.quantity, v.price_minor, v.currency::text
        FROM carts c
        LEFT JOIN (cart_lines l JOIN variants v ON v.id = l.variant_id JOIN products p ON p.id = v.product_id)
               ON l.cart_id = c.id
        WHERE c.id = $1 AND c.token = $2
        ORDER BY l.id
        """

    var id: UUID
    var token: String

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 2)
        bindings.append(id)
        bindings.append(token)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
}
