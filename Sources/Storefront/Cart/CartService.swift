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
        guard currency.utf8.count == 3, currency.utf8.allSatisfy({ (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }) else {
            throw StoreError.validation("currency must be a 3-letter ISO 4217 code such as USD")
        }
        let id = UUID()
        let token = Self.makeToken()
        let rows = try await database.withConnection {
            try await $0.execute(CreateCartStatement(id: id, token: token, currency: currency))
        }
        guard let (status, version, savedCurrency) = rows.first else { throw StoreError.notFound("cart \(id) was not created") }
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
            let rows: [AddItemStatement.Row]
            do {
                rows = try await Self.conflictOnLockTimeout {
                    try await connection.executeWithDeadline(AddItemStatement(
                        cartID: cartID, token: token, expectedVersion: expectedVersion, variantID: request.variantId, quantity: request.quantity))
                }
            } catch let error as PSQLError where error.sqlState == "23514" {
                // The request was valid (quantity 1...999); the line it would make is not: a conflict with the cart.
                throw StoreError.cartConflict("a line may hold at most \(maximumLineQuantity) of one variant: this one would hold more")
            }
            guard let row = rows.first else { throw StoreError.notFound("cart \(cartID) does not exist") }
            let (available, applied, status, version) = row
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
        try await Self.conflictOnLockTimeout {
            try await lockedChange(cartID: cartID, token: token, expectedVersion: expectedVersion, body)
        }
    }

    /// A change that waited longer than `lock_timeout` behind other changes of the cart was not
    /// applied: the client should reload and retry.
    private static func conflictOnLockTimeout<Result>(_ body: () async throws -> Result) async throws -> Result {
        do {
            return try await body()
        } catch let error as PSQLError where error.sqlState == "55P03" {
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
        let rows = try await connection.execute(LoadCartStatement(id: id, token: token))
        guard let (status, version, currency, _, _, _, _, _, _, _, _) = rows.first else { throw StoreError.notFound("cart \(id) does not exist") }
        let lines = rows.compactMap { row -> CartLine? in
            let (_, _, _, lineID, variantID, productID, sku, title, quantity, price, lineCurrency) = row
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
