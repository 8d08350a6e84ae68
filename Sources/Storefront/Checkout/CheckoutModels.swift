import Foundation

/// `POST /v1/checkout` body.
public struct CheckoutRequest: Codable, Sendable, Equatable {
    public var cartId: UUID
    public var email: String
    public var shippingAddress: Address
    public var paymentToken: String

    public struct Address: Codable, Sendable, Equatable {
        public var name: String
        public var line1: String
        public var line2: String?
        public var city: String
        public var postalCode: String
        public var country: String
    }

    func validate() throws(StoreError) {
        let parts = email.split(separator: "@")
        guard email.count <= 254, parts.count == 2, !parts[0].isEmpty, parts[1].contains(".") else {
            throw .validation("email must be an address such as ada@example.com")
        }
        let address = shippingAddress
        for (name, value) in [("name", address.name), ("line1", address.line1), ("city", address.city), ("postal_code", address.postalCode)] {
            guard !value.trimmingCharacters(in: .whitespaces).isEmpty, value.count <= 200 else {
                throw .validation("shipping_address.\(name) must be 1 to 200 characters")
            }
        }
        guard address.country.count == 2, address.country.allSatisfy({ $0.isASCII && $0.isLetter }) else {
            throw .validation("shipping_address.country must be a 2-letter ISO 3166 code such as US")
        }
        guard !paymentToken.isEmpty, paymentToken.count <= 200 else {
            throw .validation("payment_token must be 1 to 200 characters")
        }
    }
}

/// A confirmed order.
public struct Order: Codable, Sendable, Equatable {
    public var id: UUID
    public var status: String
    public var email: String
    public var total: Money
    public var lines: [OrderLine]
    public var paymentReference: String
    public var createdAt: Date
    /// Only in the checkout response: the secret to read the order later (`X-Order-Token`).
    public var token: String?
}

public struct OrderLine: Codable, Sendable, Equatable {
    public var variantId: Int64
    public var sku: String
    public var title: String
    public var quantity: Int
    public var unitPrice: Money
}
