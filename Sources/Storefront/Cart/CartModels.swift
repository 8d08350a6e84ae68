import Foundation

/// A cart as the API returns it.
public struct Cart: Codable, Sendable, Equatable {
    public var id: UUID
    public var status: String
    public var version: Int
    public var currency: String
    public var lines: [CartLine]
    public var subtotal: Money
    /// Only in the response to `POST /v1/carts`: the secret to send as `X-Cart-Token`.
    public var token: String?
}

/// One line of a cart.
public struct CartLine: Codable, Sendable, Equatable {
    public var id: Int64
    public var variantId: Int64
    public var productId: Int64
    public var sku: String
    public var title: String
    public var quantity: Int
    public var unitPrice: Money
    public var lineTotal: Money
}

/// `POST /v1/carts` body (optional).
public struct CreateCartRequest: Codable, Sendable {
    public var currency: String?
}

/// `POST /v1/carts/{id}/items` body.
public struct AddItemRequest: Codable, Sendable {
    public var variantId: Int64
    public var quantity: Int
}

/// `PATCH /v1/carts/{id}/items/{line}` body.
public struct UpdateItemRequest: Codable, Sendable {
    public var quantity: Int
}

/// The most of one variant a line may hold.
public let maximumLineQuantity = 999
