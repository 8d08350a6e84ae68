import Database
import Foundation

/// Reads orders for their buyer (the order's token, or the token of the cart it came from).
public struct OrderService: Sendable {
    let database: Database

    public init(database: Database) {
        self.database = database
    }

    public func order(id: UUID, token: String) async throws -> Order {
        try await database.withConnection { connection in
            let rows = try await connection.query("""
                SELECT o.status, o.email, o.total_minor, o.currency::text, o.payment_ref, o.created_at
                FROM orders o JOIN carts c ON c.id = o.cart_id
                WHERE o.id = \(id) AND (o.token = \(token) OR c.token = \(token))
                """)
            guard let row = rows.first else { throw StoreError.notFound("order \(id) does not exist") }
            let (status, email, total, currency, payment, created) = try row.decode((String, String, Int64, String, String, Date).self)
            let lines = try await connection.query("""
                SELECT variant_id, sku, title, quantity, unit_price_minor FROM order_lines
                WHERE order_id = \(id) ORDER BY variant_id
                """).map { row in
                let (variant, sku, title, quantity, price) = try row.decode((Int64, String, String, Int, Int64).self)
                return OrderLine(variantId: variant, sku: sku, title: title, quantity: quantity,
                                 unitPrice: Money(amountMinor: price, currency: currency))
            }
            return Order(id: id, status: status, email: email, total: Money(amountMinor: total, currency: currency),
                         lines: lines, paymentReference: payment, createdAt: created, token: nil)
        }
    }
}
