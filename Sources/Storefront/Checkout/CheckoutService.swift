import Database
import Foundation
import Guard
import Logging
import PostgresNIO
import Reproducible

/// A response replayed byte for byte to every request with the same `Idempotency-Key`.
public struct StoredResponse: Sendable, Equatable {
    public var status: Int
    public var body: String
    public var contentType: String { status < 300 ? "application/json" : "application/problem+json" }
}

/// Checkout in three steps, so no row lock is ever held across the payment call:
/// 1. **hold**: one conditional `UPDATE stock … WHERE on_hand - reserved >= qty` per SKU, in SKU-id
///    order (no deadlocks), demand summed per SKU; any shortfall rolls the whole hold back (`sold_out`);
/// 2. **authorize** the payment with no transaction open;
/// 3. **convert** the hold into an order, or **release** it if the payment failed.
/// The order, the stock movements and the idempotency record commit in one transaction, so a
/// confirmed order is never lost and a retried key always gets the same order.
public struct CheckoutService: Sendable {
    let database: Database
    let gateway: any PaymentGateway
    let holdTTL: Duration
    /// The idempotency protocol (claim, replay, fence, record, forget).
    let keys: IdempotencyKeys
    /// Variants known to be sold out: a checkout of one is refused before it queues on the stock row.
    let soldOut: SoldOutFilter?
    let logger: Logger

    public init(database: Database, gateway: any PaymentGateway, holdTTL: Duration = .seconds(600),
                takeoverAfter: Duration = .seconds(12), soldOut: SoldOutFilter? = nil, logger: Logger) {
        self.database = database
        self.gateway = gateway
        self.holdTTL = holdTTL
        // A key still in progress after `takeoverAfter` belongs to a request that died mid-way (its
        // instance crashed, or the database went away before it could clean up): a retry takes it over.
        self.keys = IdempotencyKeys(database: database, takeoverAfter: takeoverAfter)
        self.soldOut = soldOut
        self.logger = logger
    }

    /// Runs the checkout once per idempotency key; concurrent or later retries wait for and replay its response.
    ///
    /// All of it is critical work for the connection gate (`QueryContext.critical`): admission already
    /// lets checkouts in ahead of everything else, and a full line of browsing at the gate must not
    /// fail one afterwards, least of all once its payment is authorised.
    public func checkout(idempotencyKey key: String, cartToken: String, _ request: CheckoutRequest) async throws -> StoredResponse {
        var context = QueryContext.current ?? QueryContext(route: "checkout", requestID: key)
        context.critical = true
        return try await QueryContext.$current.withValue(context) {
            try await checkoutOnce(idempotencyKey: key, cartToken: cartToken, request)
        }
    }

    private func checkoutOnce(idempotencyKey key: String, cartToken: String, _ request: CheckoutRequest) async throws -> StoredResponse {
        guard (1...255).contains(key.utf8.count), key.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw StoreError.validation("Idempotency-Key must be 1 to 255 visible ASCII characters")
        }
        try request.validate()
        let hash = try Self.requestHash(request, cartToken: cartToken)
        let owner = UUID()
        let tookOver: Bool
        switch try await keys.claim(key: key, hash: hash, owner: owner) {
        case .replay(let response): return response
        case .owned(let takenOver): tookOver = takenOver
        }
        do {
            if tookOver { try await releaseAbandonedHolds(cartID: request.cartId, key: key) }
            return try await perform(key: key, owner: owner, cartToken: cartToken, request)
        } catch let error as StoreError where error.isFinal {
            // Final answers are remembered, so a retry with the same key gets the same answer.
            try await keys.record(key: key, owner: owner, StoredResponse(refusal: error))
            throw error
        } catch {
            // Unknown outcome (timeout, overload, lost connection): forget the key so a retry runs again.
            await keys.forget(key: key, owner: owner)
            throw error
        }
    }

    private struct HeldLine: Sendable {
        var variantID: Int64
        var quantity: Int
        var sku: String
        var title: String
        var unitPriceMinor: Int64
        var currency: String
    }

    private func perform(key: String, owner: UUID, cartToken: String, _ request: CheckoutRequest) async throws -> StoredResponse {
        let holdID = UUID()
        let lines = try await hold(holdID: holdID, key: key, cartID: request.cartId, cartToken: cartToken)
        let currency = lines.first?.currency ?? "USD"
        let total = Money(amountMinor: lines.reduce(0) { $0 + $1.unitPriceMinor * Int64($1.quantity) }, currency: currency)

        let authorization: PaymentAuthorization
        do {
            // No row lock, no connection and no admission slot is held while the provider answers.
            authorization = try await AdmissionScope.outside {
                try await gateway.authorize(amount: total, token: request.paymentToken, reference: holdID)
            }
        } catch let error as PaymentError {
            try await releaseHold(holdID, reason: "release")
            switch error {
            case .declined(let reason): throw StoreError.paymentDeclined("payment was declined: \(reason)")
            case .timeout: throw StoreError.paymentTimeout("the payment provider did not answer in time; nothing was charged, retry with the same Idempotency-Key")
            }
        } catch {
            try await releaseHold(holdID, reason: "release")
            throw error
        }

        let orderID = UUID()
        let orderToken = CartService.makeToken()
        let order = Order(
            id: orderID, status: "confirmed", email: request.email, total: total,
            lines: lines.map { OrderLine(variantId: $0.variantID, sku: $0.sku, title: $0.title, quantity: $0.quantity,
                                         unitPrice: Money(amountMinor: $0.unitPriceMinor, currency: $0.currency)) },
            paymentReference: authorization.reference, createdAt: Date(), token: orderToken
        )
        let body = String(decoding: try StoreJSON.encoder.encode(order), as: UTF8.self)
        let shipping = String(decoding: try StoreJSON.encoder.encode(request.shippingAddress), as: UTF8.self)
        do {
            try await database.withTransaction { connection in
                let converted = try await connection.query(
                    "UPDATE holds SET status = 'converted' WHERE id = \(holdID) AND status = 'active' RETURNING id")
                guard !converted.isEmpty else {
                    throw StoreError.holdExpired("the stock hold expired before payment completed: check out again")
                }
                for line in lines {
                    try await connection.query("""
                        UPDATE stock SET on_hand = on_hand - \(line.quantity), reserved = reserved - \(line.quantity)
                        WHERE variant_id = \(line.variantID)
                        """)
                }
                // The ledger, the order, its lines, the cart and the idempotency record in one round trip.
                // Fencing: the key is finished only if this request still owns it (no retry took it over
                // meanwhile); otherwise the transaction rolls back.
                let finished = try await connection.query("""
                    WITH movements AS (
                        INSERT INTO stock_movements (variant_id, on_hand_delta, reserved_delta, reason, reference)
                        SELECT v, -q, -q, 'sale', \(orderID) FROM unnest(\(lines.map(\.variantID))::bigint[], \(lines.map(\.quantity))::int[]) AS t(v, q)
                    ), new_order AS (
                        INSERT INTO orders (id, cart_id, token, email, shipping, total_minor, currency, status, payment_ref, created_at)
                        VALUES (\(orderID), \(request.cartId), \(orderToken), \(request.email), \(shipping)::jsonb, \(total.amountMinor),
                                \(currency), 'confirmed', \(authorization.reference), \(order.createdAt))
                        RETURNING id
                    ), new_lines AS (
                        INSERT INTO order_lines (order_id, variant_id, sku, title, quantity, unit_price_minor)
                        SELECT (SELECT id FROM new_order), v, s, t, q, p
                        FROM unnest(\(lines.map(\.variantID))::bigint[], \(lines.map(\.sku))::text[], \(lines.map(\.title))::text[],
                                    \(lines.map(\.quantity))::int[], \(lines.map(\.unitPriceMinor))::bigint[]) AS x(v, s, t, q, p)
                    ), cart AS (
                        UPDATE carts SET status = 'checked_out', updated_at = now() WHERE id = \(request.cartId)
                    )
                    UPDATE idempotency_keys SET status = 'done', response_status = 201, response_body = \(body)
                    WHERE key = \(key) AND status = 'in_progress' AND owner = \(owner) RETURNING key
                    """)
                guard !finished.isEmpty else {
                    throw StoreError.idempotencyInProgress("another request with this Idempotency-Key took over this checkout: retry to get its result")
                }
            }
        } catch {
            // The order did not commit: give the stock back (a no-op if the hold is no longer active).
            try? await releaseHold(holdID, reason: "release")
            logger.error("checkout convert failed after authorization", metadata: ["hold": "\(holdID)", "error": "\(error)"])
            throw error
        }
        return StoredResponse(status: 201, body: body)
    }

    /// Reserves the cart's demand, all or nothing.
    private func hold(holdID: UUID, key: String, cartID: UUID, cartToken: String) async throws -> [HeldLine] {
        try await database.withTransaction { connection in
            let cart = try await connection.query(
                "SELECT status FROM carts WHERE id = \(cartID) AND token = \(cartToken) FOR UPDATE")
            guard let status = try cart.first?.decode(String.self) else { throw StoreError.notFound("cart \(cartID) does not exist") }
            guard status == "open" else { throw StoreError.cartConflict("cart \(cartID) is already checked out") }
            // Read after the cart's lock is taken, so a hold committed by a concurrent checkout of
            // this cart is seen (a statement's snapshot is taken when it starts).
            let rows = try await connection.query("""
                SELECT l.variant_id, sum(l.quantity)::int, v.sku, p.title, v.price_minor, v.currency::text,
                       EXISTS (SELECT 1 FROM holds h WHERE h.cart_id = \(cartID) AND h.status = 'active')
                FROM cart_lines l JOIN variants v ON v.id = l.variant_id JOIN products p ON p.id = v.product_id
                WHERE l.cart_id = \(cartID)
                GROUP BY l.variant_id, v.sku, p.title, v.price_minor, v.currency
                ORDER BY l.variant_id
                """)
            var demand: [HeldLine] = []
            for row in rows {
                let (variant, quantity, sku, title, price, currency, active) =
                    try row.decode((Int64, Int, String, String, Int64, String, Bool).self)
                guard !active else { throw StoreError.cartConflict("a checkout of cart \(cartID) is already in progress") }
                demand.append(HeldLine(variantID: variant, quantity: quantity, sku: sku, title: title, unitPriceMinor: price, currency: currency))
            }
            // A valid request against a cart in the wrong state: a conflict, not a malformed request.
            guard !demand.isEmpty else { throw StoreError.cartEmpty("cart \(cartID) is empty: add items before checking out") }
            if let soldOut, let variant = soldOut.firstSoldOut(demand.map(\.variantID)),
               let line = demand.first(where: { $0.variantID == variant }) {
                throw StoreError.soldOut("\(line.sku) is sold out")
            }

            for line in demand {
                let reserved = try await connection.query("""
                    UPDATE stock SET reserved = reserved + \(line.quantity)
                    WHERE variant_id = \(line.variantID) AND on_hand - reserved >= \(line.quantity)
                    RETURNING variant_id
                    """)
                if reserved.isEmpty {
                    // One unit missing means none left: remember it for the fast path.
                    if line.quantity == 1 { soldOut?.markSoldOut(line.variantID) }
                    throw StoreError.soldOut("not enough stock of \(line.sku) for \(line.quantity)")
                }
            }
            let expiry = Date().addingTimeInterval(Double(holdTTL.milliseconds) / 1000)
            // The hold, its lines and the ledger entries in one round trip.
            try await connection.query("""
                WITH hold AS (
                    INSERT INTO holds (id, cart_id, status, expires_at, idempotency_key)
                    VALUES (\(holdID), \(cartID), 'active', \(expiry), \(key))
                    RETURNING id
                ), hold_line AS (
                    INSERT INTO hold_lines (hold_id, variant_id, quantity)
                    SELECT (SELECT id FROM hold), v, q FROM unnest(\(demand.map(\.variantID))::bigint[], \(demand.map(\.quantity))::int[]) AS t(v, q)
                )
                INSERT INTO stock_movements (variant_id, on_hand_delta, reserved_delta, reason, reference)
                SELECT v, 0, q, 'hold', \(holdID) FROM unnest(\(demand.map(\.variantID))::bigint[], \(demand.map(\.quantity))::int[]) AS t(v, q)
                """)
            return demand
        }
    }

    /// A key taken over from a dead owner: return the stock of the holds that owner left on the cart
    /// (it can no longer convert them: its fencing check fails).
    private func releaseAbandonedHolds(cartID: UUID, key: String) async throws {
        try await database.withTransaction { connection in
            let ids = try await connection.query("""
                SELECT id FROM holds WHERE cart_id = \(cartID) AND status = 'active' AND idempotency_key = \(key) FOR UPDATE
                """).map { try $0.decode(UUID.self) }
            for id in ids { try await Self.release(id, reason: "release", newStatus: "released", on: connection) }
        }
        soldOut?.clear()
    }

    /// Returns an active hold's stock (payment failed, or the hold expired).
    /// Critical work (`QueryContext.critical`, at least a second to run): under a surge a release refused
    /// for a full connection line would keep the stock from every other buyer until the hold's TTL.
    func releaseHold(_ holdID: UUID, reason: String) async throws {
        var critical = QueryContext.current ?? QueryContext(route: "checkout", requestID: "\(holdID)")
        critical.critical = true
        // A payment that timed out may have used the request's time: give the release a second of its own.
        critical.deadline = max(critical.deadline ?? .now, .now + .seconds(1))
        try await QueryContext.$current.withValue(critical) {
            try await database.withTransaction { connection in
                try await Self.release(holdID, reason: reason, newStatus: "released", on: connection)
            }
        }
        // Stock came back: nothing this instance believed sold out may still be.
        soldOut?.clear()
    }

    static func release(_ holdID: UUID, reason: String, newStatus: String, on connection: DatabaseConnection) async throws {
        let released = try await connection.query(
            "UPDATE holds SET status = \(newStatus) WHERE id = \(holdID) AND status = 'active' RETURNING id")
        guard !released.isEmpty else { return }
        let lines = try await connection.query(
            "SELECT variant_id, quantity FROM hold_lines WHERE hold_id = \(holdID) ORDER BY variant_id")
        for row in lines {
            let (variant, quantity) = try row.decode((Int64, Int).self)
            try await connection.query("UPDATE stock SET reserved = reserved - \(quantity) WHERE variant_id = \(variant)")
        }
        try await connection.query("""
            INSERT INTO stock_movements (variant_id, on_hand_delta, reserved_delta, reason, reference)
            SELECT variant_id, 0, -quantity, \(reason), \(holdID) FROM hold_lines WHERE hold_id = \(holdID)
            """)
    }

    /// Expires active holds past their TTL and returns their stock; returns how many expired.
    @discardableResult
    public func expireHolds(limit: Int = 100) async throws -> Int {
        let expired = try await database.withTransaction { connection in
            let ids = try await connection.query("""
                SELECT id FROM holds WHERE status = 'active' AND expires_at < now()
                ORDER BY expires_at LIMIT \(limit) FOR UPDATE SKIP LOCKED
                """).map { try $0.decode(UUID.self) }
            for id in ids { try await Self.release(id, reason: "expire", newStatus: "expired", on: connection) }
            return ids.count
        }
        if expired > 0 { soldOut?.clear() }
        return expired
    }

    /// A stable hash of the request (with the cart token), to refuse a reused key with another body.
    static func requestHash(_ request: CheckoutRequest, cartToken: String) throws -> String {
        let bytes = Array(try StoreJSON.encoder.encode(request)) + Array(cartToken.utf8)
        // Unpadded hex: the form stored with existing idempotency keys.
        return String(FNV1a.hash(bytes), radix: 16)
    }
}
