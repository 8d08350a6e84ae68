import Foundation
import HTTPTypes
import Hummingbird
import Storefront
import Testing

/// Each route answers its bad inputs with a 4xx problem+json and a stable code, never a 500.
@Suite struct BadInputTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var method: HTTPRequest.Method
        var path: String
        var body: String?
        var withToken = true
        var withKey = true
        var headers: [String: String] = [:]
        var status: Int
        var code: String
        var testDescription: String { "\(method) \(path) \(body ?? "") -> \(status) \(code)" }
    }

    static let cartPath = "/v1/carts/CART"
    static let cases: [Case] = [
        .init(method: .get, path: "/v1/products?limit=0", status: 400, code: "validation_failed"),
        .init(method: .get, path: "/v1/products?limit=101", status: 400, code: "validation_failed"),
        .init(method: .get, path: "/v1/products?limit=abc", status: 400, code: "validation_failed"),
        .init(method: .get, path: "/v1/products?sort=cheapest", status: 400, code: "validation_failed"),
        .init(method: .get, path: "/v1/products?cursor=garbage!!", status: 400, code: "validation_failed"),
        .init(method: .get, path: "/v1/products?min_price=-5", status: 400, code: "validation_failed"),
        .init(method: .get, path: "/v1/products?in_stock=maybe", status: 400, code: "validation_failed"),
        .init(method: .get, path: "/v1/products?category=99999", status: 404, code: "not_found"),
        .init(method: .get, path: "/v1/products?colour=red", status: 400, code: "validation_failed"),
        .init(method: .get, path: "/v1/products/abc", status: 400, code: "validation_failed"),
        .init(method: .get, path: "/v1/products/-1", status: 400, code: "validation_failed"),
        .init(method: .get, path: "/v1/products/99999999999999999999", status: 400, code: "validation_failed"),
        .init(method: .get, path: "/v1/nothing-here", status: 404, code: "not_found"),
        .init(method: .post, path: "/v1/carts", body: "{not json", status: 400, code: "validation_failed"),
        .init(method: .post, path: "/v1/carts", body: #"{"currency": "dollars"}"#, status: 400, code: "validation_failed"),
        .init(method: .get, path: "/v1/carts/not-a-uuid", status: 400, code: "validation_failed"),
        .init(method: .get, path: cartPath, withToken: false, status: 401, code: "unauthorized"),
        .init(method: .get, path: "/v1/carts/6f1c8a9e-0000-4000-8000-000000000000", status: 404, code: "not_found"),
        .init(method: .post, path: cartPath + "/items", body: #"{"variant_id": 4000, "quantity": 0}"#, status: 400, code: "validation_failed"),
        .init(method: .post, path: cartPath + "/items", body: #"{"variant_id": 4000, "quantity": -3}"#, status: 400, code: "validation_failed"),
        .init(method: .post, path: cartPath + "/items", body: #"{"variant_id": 4000, "quantity": 1000000}"#, status: 400, code: "validation_failed"),
        .init(method: .post, path: cartPath + "/items", body: #"{"variant_id": 4000, "quantity": 1e30}"#, status: 400, code: "validation_failed"),
        .init(method: .post, path: cartPath + "/items", body: #"{"variant_id": "x", "quantity": 1}"#, status: 400, code: "validation_failed"),
        .init(method: .post, path: cartPath + "/items", body: #"{"quantity": 1}"#, status: 400, code: "validation_failed"),
        .init(method: .post, path: cartPath + "/items", body: #"{"variant_id": 123456789, "quantity": 1}"#, status: 404, code: "not_found"),
        .init(method: .post, path: cartPath + "/items", body: "[]", status: 400, code: "validation_failed"),
        .init(method: .post, path: cartPath + "/items", body: String(repeating: "x", count: 70_000), status: 413, code: "payload_too_large"),
        .init(method: .patch, path: cartPath + "/items/abc", body: #"{"quantity": 1}"#, status: 400, code: "validation_failed"),
        .init(method: .patch, path: cartPath + "/items/424242", body: #"{"quantity": 1}"#, status: 404, code: "not_found"),
        .init(method: .delete, path: cartPath + "/items/424242", status: 404, code: "not_found"),
        .init(method: .post, path: "/v1/checkout", body: "{}", withKey: false, status: 400, code: "validation_failed"),
        .init(method: .post, path: "/v1/checkout", body: "{}", status: 400, code: "validation_failed"),
        .init(method: .post, path: "/v1/checkout", body: #"{"cart_id": "CARTID", "email": "nope", "payment_token": "tok_ok", "shipping_address": {"name": "A", "line1": "B", "city": "C", "postal_code": "1", "country": "US"}}"#, status: 400, code: "validation_failed"),
        .init(method: .post, path: "/v1/checkout", body: #"{"cart_id": "CARTID", "email": "a@b.co", "payment_token": "tok_ok", "shipping_address": {"name": "A", "line1": "B", "city": "C", "postal_code": "1", "country": "USA"}}"#, status: 400, code: "validation_failed"),
        .init(method: .post, path: "/v1/checkout", body: #"{"cart_id": "CARTID", "email": "a@b.co", "payment_token": "tok_ok", "shipping_address": {"name": "A", "line1": "B", "city": "C", "postal_code": "1", "country": "US"}}"#, status: 409, code: "cart_empty"),
        .init(method: .get, path: "/v1/orders/6f1c8a9e-0000-4000-8000-000000000000", withToken: false, status: 401, code: "unauthorized"),
        .init(method: .get, path: "/v1/orders/6f1c8a9e-0000-4000-8000-000000000000", status: 404, code: "not_found"),
        // NUL (PostgreSQL's text cannot hold it: SQLSTATE 22021, a 500 before), over-long text and
        // numbers, and JSON that is not Unicode, in queries, paths, headers and bodies.
        .init(method: .get, path: "/v1/products?q=%00", status: 400, code: "validation_failed"),
        .init(method: .get, path: "/v1/products?q=lamp%00shade", status: 400, code: "validation_failed"),
        .init(method: .get, path: "/v1/products?q=" + String(repeating: "a", count: 201), status: 400, code: "validation_failed"),
        .init(method: .get, path: "/v1/products?q=" + String(repeating: "%F0%9F%98%80", count: 201), status: 400, code: "validation_failed"),
        .init(method: .get, path: "/v1/products?in_stock=1", status: 400, code: "validation_failed"),
        .init(method: .get, path: "/v1/products?category=2147483648", status: 400, code: "validation_failed"),
        .init(method: .get, path: "/v1/products?limit=99999999999999999999999", status: 400, code: "validation_failed"),
        .init(method: .get, path: "/v1/products?cursor=abc", status: 404, code: "not_found"),
        .init(method: .get, path: "/v1/products?cursor=%00", status: 400, code: "validation_failed"),
        .init(method: .get, path: "/v1/products/9223372036854775808", status: 400, code: "validation_failed"),
        .init(method: .get, path: "/v1/products/%00", status: 400, code: "validation_failed"),
        .init(method: .get, path: "/v1/products/%FF", status: 400, code: "validation_failed"),
        .init(method: .get, path: "/v1/carts/%00", status: 400, code: "validation_failed"),
        .init(method: .post, path: "/v1/carts", body: #"{"currency": "USD", "colour": "red"}"#, status: 400, code: "validation_failed"),
        .init(method: .post, path: "/v1/carts", body: #"{"currency": null}"#, status: 400, code: "validation_failed"),
        .init(method: .post, path: "/v1/carts", body: #"{"currency": "US\u0000"}"#, status: 400, code: "validation_failed"),
        .init(method: .post, path: "/v1/carts", body: #"{"currency": "\ud800"}"#, status: 400, code: "validation_failed"),
        .init(method: .post, path: "/v1/carts", body: "[1]", status: 400, code: "validation_failed"),
        .init(method: .post, path: cartPath + "/items", body: #"{"variant_id": 99999999999999999999, "quantity": 1}"#, status: 400, code: "validation_failed"),
        .init(method: .post, path: cartPath + "/items", body: #"{"variant_id": 4000, "quantity": 1, "note": "x"}"#, status: 400, code: "validation_failed"),
        .init(method: .post, path: cartPath + "/items", body: #"{"variant_id": 4000, "quantity": 1}"#,
              headers: ["If-Match": #"W/"1""#], status: 412, code: "precondition_failed"),
        .init(method: .post, path: cartPath + "/items", body: #"{"variant_id": 4000, "quantity": 1}"#,
              headers: ["If-Match": "version one"], status: 400, code: "validation_failed"),
        .init(method: .get, path: cartPath, withToken: false, headers: ["X-Cart-Token": ""], status: 401, code: "unauthorized"),
        .init(method: .post, path: "/v1/checkout", body: "{}", withKey: false, headers: ["Idempotency-Key": "two words"], status: 400, code: "validation_failed"),
        .init(method: .post, path: "/v1/checkout", body: #"{"cart_id": "CARTID", "email": "a@b.co", "payment_token": "tok_ok", "shipping_address": {"name": "A\u0000", "line1": "B", "city": "C", "postal_code": "1", "country": "US"}}"#, status: 400, code: "validation_failed"),
        .init(method: .post, path: "/v1/checkout", body: #"{"cart_id": "CARTID", "email": "a\u0000@b.co", "payment_token": "tok_ok", "shipping_address": {"name": "A", "line1": "B", "city": "C", "postal_code": "1", "country": "US"}}"#, status: 400, code: "validation_failed"),
        .init(method: .post, path: "/v1/checkout", body: #"{"cart_id": "CARTID", "email": "a@b.co", "payment_token": "tok_ok", "shipping_address": {"name": "A", "line1": "B", "line2": "\u0000", "city": "C", "postal_code": "1", "country": "US"}}"#, status: 400, code: "validation_failed"),
        .init(method: .put, path: "/v1/products/1", status: 405, code: "method_not_allowed"),
        .init(method: .trace, path: "/v1/carts", status: 405, code: "method_not_allowed"),
        .init(method: .delete, path: cartPath, status: 405, code: "method_not_allowed"),
    ]

    @Test(arguments: cases)
    func badInputGetsAProblem(_ testCase: Case) async throws {
        try await StoreHarness.run { store in
            try await store.product(id: 40, variants: [(price: 100, onHand: 5)])
            let cart = try await store.createCart()
            let path = testCase.path.replacingOccurrences(of: "CART", with: cart.0)
            var headers: HTTPFields = [:]
            if testCase.withToken { headers[StoreHarness.cartToken] = cart.1 }
            if testCase.withKey { headers[StoreHarness.idempotencyKey] = UUID().uuidString }
            for (name, value) in testCase.headers { headers[HTTPField.Name(name)!] = value }
            let body = testCase.body?.replacingOccurrences(of: "CARTID", with: cart.0)
            let reply = try await store.send(testCase.method, path, headers: headers, body: body)
            #expect(Int(reply.status.code) == testCase.status, "\(reply.body)")
            #expect(reply.headers[.contentType] == "application/problem+json")
            #expect(reply.code == testCase.code)
            let detail = (try reply.json())["detail"] as? String ?? ""
            #expect(!detail.isEmpty)
        }
    }

    /// Odd input the document allows is answered, never refused or failed: Unicode beyond ASCII,
    /// right-to-left text, emoji, invalid UTF-8 (read as U+FFFD), the largest ids, q at its limit.
    static let allowed: [String] = [
        "/v1/products?q=%D7%A9%D7%9C%D7%95%D7%9D",            // Hebrew (right to left)
        "/v1/products?q=%F0%9F%98%80%20lamp",                  // an emoji
        "/v1/products?q=e%CC%81",                              // a combining mark
        "/v1/products?q=%FF%FE",                               // not UTF-8
        "/v1/products?q=%E2%80%AE%E2%80%8B",                   // right-to-left override, zero-width space
        "/v1/products?q=" + String(repeating: "a", count: 200),
        "/v1/products?q=" + String(repeating: "%F0%9F%98%80", count: 200),
        "/v1/products?q=%20%20",
        "/v1/products?sort=relevance",
        "/v1/products?min_price=500&max_price=100",
        "/v1/products?category=2147483647",
        "/v1/products/9223372036854775807",
        "/v1/products/1",
    ]

    @Test(arguments: allowed)
    func oddInputTheDocumentAllowsIsAnswered(_ path: String) async throws {
        try await StoreHarness.run { store in
            let reply = try await store.send(.get, path)
            #expect(reply.status == .ok || reply.status == .notFound, "\(reply.status) \(reply.body)")
            #expect(reply.headers[.contentType]?.hasPrefix("application/") == true)
        }
    }
}
