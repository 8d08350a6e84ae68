import Database
import Foundation
import Guard
import PostgresNIO

/// Guest carts: created with a secret token, changed only by its holder, versioned so a client can
/// make a change conditional (`If-Match: <version>`), and safe under concurrent changes: every change
/// takes the cart's row lock first, so no update is lost.
public struct CartService: Sendable {
    let database: Database
    /// Variants known to be sold out, refused without a query (guarded profile).
    public let soldOut: SoldOutFilter?

    public init(database: Database, soldOut: SoldOutFilter? = nil) {
        self.database = database
        self.soldOut = soldOut
    }

    public func create(currency: String = "USD") async throws -> Cart {
        guard currency.count == 3, currency.allSatisfy({ $0.isASCII && $0.isUppercase }) else {
            throw StoreError.validation("currency must be a 3-letter ISO 4217 code such as USD")
        }
        let id = UUID()
        let token = Self.makeToken()
        // One round trip: a new cart has no lines, so the row the INSERT returns is the whole cart.
        let rows = try await database.query("""
            INSERT INTO carts (id, token, currency) VALUES (\(id), \(token), \(currency))
            RETURNING status, version, currency::text
            """)
        guard let row = rows.first else { throw StoreError.notFound("cart \(id) was not created") }
        let (status, version, savedCurrency) = try row.decode((String, Int, String).self)
        return Cart(id: id, status: status, version: version, currency: savedCurrency, lines: [],
                    subtotal: Money(amountMinor: 0, currency: savedCurrency), token: token)
    }

    /// The cart, if `token` is its token.
    public func load(id: UUID, token: String) async throws -> Cart {
        try await database.withConnection { try await Self.load(id: id, token: token, on: $0) }
    }

    /// Adds `quantity` of a variant to the cart in one statement (one round trip and one short
    /// transaction instead of five): the availability check, the cart's version bump (its row lock
    /// orders concurrent changes, so none is lost) and the line upsert commit together or not at all.
    /// A line past the maximum fails the `cart_lines` CHECK, which rolls the version bump back too.
    /// When nothing was applied, the same statement says why (its snapshot read of the cart).
    public func addItem(cartID: UUID, token: String, expectedVersion: Int?, _ request: AddItemRequest) async throws -> Cart {
        try Self.validate(quantity: request.quantity)
        if soldOut?.isSoldOut(request.variantId) == true {
            throw StoreError.soldOut("variant \(request.variantId) is sold out")
        }
        return try await database.withConnection { connection in
            let rows: [PostgresRow]
            do {
                rows = try await connection.queryWithDeadline(Self.addItemStatement(
                    cartID: cartID, token: token, expectedVersion: expectedVersion, request))
            } catch let error as PSQLError where error.sqlState == "23514" {
                throw StoreError.validation("a line may hold at most \(maximumLineQuantity) of one variant")
            } catch let error as PSQLError where error.sqlState == "55P03" {
                // Waited longer than lock_timeout behind other changes of this cart: not applied.
                throw StoreError.cartConflict("the cart is being changed by other requests: reload it and retry")
            }
            guard let row = rows.first else { throw StoreError.notFound("cart \(cartID) does not exist") }
            let (available, applied, status, version) = try row.decode((Int?, Int?, String?, Int?).self)
            guard let available else { throw StoreError.notFound("variant \(request.variantId) does not exist") }
            guard available > 0 else {
                soldOut?.markSoldOut(request.variantId)
                throw StoreError.soldOut("variant \(request.variantId) is sold out")
            }
            if applied == nil {
                guard let status, let version else { throw StoreError.notFound("cart \(cartID) does not exist") }
                guard status == "open" else { throw StoreError.cartConflict("cart \(cartID) is already checked out") }
                if let expectedVersion, expectedVersion != version {
                    throw StoreError.cartConflict("cart is at version \(version), not \(expectedVersion): reload it and retry")
                }
                throw StoreError.cartConflict("the cart changed while this item was added: reload it and retry")
            }
            return try await Self.load(id: cartID, token: token, on: connection)
        }
    }

    /// Columns: the variant's availability (NULL: no such variant), the cart's new version (NULL: not
    /// applied), and the cart's status and version as the statement found them (NULL: no such cart).
    static func addItemStatement(cartID: UUID, token: String, expectedVersion: Int?, _ request: AddItemRequest) -> PostgresQuery {
        """
        WITH variant AS (
            SELECT coalesce(s.on_hand - s.reserved, 0) AS available
            FROM variants v LEFT JOIN stock s ON s.variant_id = v.id WHERE v.id = \(request.variantId)
        ), cart AS (
            UPDATE carts SET version = version + 1, updated_at = now()
            WHERE id = \(cartID) AND token = \(token) AND status = 'open'
              AND (\(expectedVersion)::bigint IS NULL OR version = \(expectedVersion)::bigint)
              AND (SELECT available FROM variant) > 0
            RETURNING version
        ), line AS (
            INSERT INTO cart_lines (cart_id, variant_id, quantity)
            SELECT \(cartID), \(request.variantId), \(request.quantity) FROM cart
            ON CONFLICT (cart_id, variant_id) DO UPDATE SET quantity = cart_lines.quantity + EXCLUDED.quantity
            RETURNING id
        )
        SELECT (SELECT available FROM variant), (SELECT version FROM cart), c.status, c.version
        FROM (SELECT) AS one LEFT JOIN carts c ON c.id = \(cartID) AND c.token = \(token)
        """
    }

    public func updateItem(cartID: UUID, token: String, lineID: Int64, expectedVersion: Int?, quantity: Int) async throws -> Cart {
        try Self.validate(quantity: quantity)
        return try await change(cartID: cartID, token: token, expectedVersion: expectedVersion) { connection in
            let rows = try await connection.query(
                "UPDATE cart_lines SET quantity = \(quantity) WHERE id = \(lineID) AND cart_id = \(cartID) RETURNING id")
            guard !rows.isEmpty else { throw StoreError.notFound("cart line \(lineID) does not exist in this cart") }
        }
    }

    public func removeItem(cartID: UUID, token: String, lineID: Int64, expectedVersion: Int?) async throws -> Cart {
        try await change(cartID: cartID, token: token, expectedVersion: expectedVersion) { connection in
            let rows = try await connection.query("DELETE FROM cart_lines WHERE id = \(lineID) AND cart_id = \(cartID) RETURNING id")
            guard !rows.isEmpty else { throw StoreError.notFound("cart line \(lineID) does not exist in this cart") }
        }
    }

    /// Locks the cart row (bumping its version), applies `body`, commits, and returns the cart. The
    /// lock is held for two statements only; the cart is read back after the commit.
    private func change(
        cartID: UUID, token: String, expectedVersion: Int?,
        _ body: @Sendable (DatabaseConnection) async throws -> Void
    ) async throws -> Cart {
        do {
            return try await lockedChange(cartID: cartID, token: token, expectedVersion: expectedVersion, body)
        } catch let error as PSQLError where error.sqlState == "55P03" {
            // Waited longer than lock_timeout behind other changes of this cart: not applied.
            throw StoreError.cartConflict("the cart is being changed by other requests: reload it and retry")
        }
    }

    private func lockedChange(
        cartID: UUID, token: String, expectedVersion: Int?,
        _ body: @Sendable (DatabaseConnection) async throws -> Void
    ) async throws -> Cart {
        try await database.withTransaction { connection in
            let rows = try await connection.query("""
                UPDATE carts SET version = version + 1, updated_at = now()
                WHERE id = \(cartID) AND token = \(token)
                RETURNING version, status
                """)
            guard let row = rows.first else { throw StoreError.notFound("cart \(cartID) does not exist") }
            let (version, status) = try row.decode((Int, String).self)
            guard status == "open" else { throw StoreError.cartConflict("cart \(cartID) is already checked out") }
            if let expectedVersion, expectedVersion != version - 1 {
                throw StoreError.cartConflict("cart is at version \(version - 1), not \(expectedVersion): reload it and retry")
            }
            try await body(connection)
        }
        return try await load(id: cartID, token: token)
    }

    static func load(id: UUID, token: String, on connection: DatabaseConnection) async throws -> Cart {
        // One round trip: the cart row, and one row per line (line columns NULL for an empty cart).
        let rows = try await connection.query("""
            SELECT c.status, c.version, c.currency::text,
                   l.id, l.variant_id, v.product_id, v.sku, p.title, l.quantity, v.price_minor, v.currency::text
            FROM carts c
            LEFT JOIN (cart_lines l JOIN variants v ON v.id = l.variant_id JOIN products p ON p.id = v.product_id)
                   ON l.cart_id = c.id
            WHERE c.id = \(id) AND c.token = \(token)
            ORDER BY l.id
            """)
        guard let first = rows.first else { throw StoreError.notFound("cart \(id) does not exist") }
        typealias Columns = (String, Int, String, Int64?, Int64?, Int64?, String?, String?, Int?, Int64?, String?)
        let (status, version, currency, _, _, _, _, _, _, _, _) = try first.decode(Columns.self)
        let lines = try rows.compactMap { row -> CartLine? in
            let (_, _, _, lineID, variantID, productID, sku, title, quantity, price, lineCurrency) = try row.decode(Columns.self)
            guard let lineID, let variantID, let productID, let sku, let title, let quantity, let price, let lineCurrency else { return nil }
            return CartLine(
                id: lineID, variantId: variantID, productId: productID, sku: sku, title: title, quantity: quantity,
                unitPrice: Money(amountMinor: price, currency: lineCurrency),
                lineTotal: Money(amountMinor: price * Int64(quantity), currency: lineCurrency)
            )
        }
        let subtotal = lines.reduce(Int64(0)) { $0 + $1.lineTotal.amountMinor }
        return Cart(id: id, status: status, version: version, currency: currency, lines: lines,
                    subtotal: Money(amountMinor: subtotal, currency: currency), token: nil)
    }

    static func validate(quantity: Int) throws {
        guard (1...maximumLineQuantity).contains(quantity) else {
            throw StoreError.validation("quantity must be from 1 to \(maximumLineQuantity), not \(quantity)")
        }
    }

    static func makeToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<4).map { _ in String(generator.next(), radix: 16).leftPadded(to: 16) }.joined()
    }
}

extension String {
    func leftPadded(to length: Int) -> String {
        count >= length ? self : String(repeating: "0", count: length - count) + self
    }
}
