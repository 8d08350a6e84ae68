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

    /// The document's rules for this body (`CheckoutRequest` in `/openapi.json`, which `RequestContract`
    /// checks first), kept here so the service never stores what PostgreSQL would refuse (NUL).
    /// Lengths are in Unicode code points, as JSON Schema counts them.
    func validate() throws(StoreError) {
        // In code points, as the document's pattern reads it: as Characters, "." followed by an emoji
        // modifier is one grapheme that is not ".", and a valid address was refused (the fuzzer found it).
        let parts = email.unicodeScalars.split(separator: "@", omittingEmptySubsequences: false)
        guard email.unicodeScalars.count <= 254, parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !email.unicodeScalars.contains("\0") else {
            throw .validation("email must be an address such as ada@example.com")
        }
        let address = shippingAddress
        for (name, value, least) in [("name", address.name, 1), ("line1", address.line1, 1), ("city", address.city, 1),
                                     ("postal_code", address.postalCode, 1), ("line2", address.line2 ?? "", 0)] {
            guard (least...200).contains(value.unicodeScalars.count), !value.unicodeScalars.contains("\0") else {
                throw .validation("shipping_address.\(name) must be \(least) to 200 characters, without NUL")
            }
        }
        guard address.country.unicodeScalars.count == 2, address.country.unicodeScalars.allSatisfy({ $0.isASCII && $0.properties.isAlphabetic }) else {
            throw .validation("shipping_address.country must be a 2-letter ISO 3166 code such as US")
        }
        guard (1...200).contains(paymentToken.unicodeScalars.count), !paymentToken.unicodeScalars.contains("\0") else {
            throw .validation("payment_token must be 1 to 200 characters, without NUL")
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
