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
        .init(method: .get, path: "/v1/products?sort=relevance", status: 400, code: "validation_failed"),
        .init(method: .get, path: "/v1/products?cursor=garbage!!", status: 400, code: "validation_failed"),
        .init(method: .get, path: "/v1/products?min_price=-5", status: 400, code: "validation_failed"),
        .init(method: .get, path: "/v1/products?min_price=500&max_price=100", status: 400, code: "validation_failed"),
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
        .init(method: .post, path: "/v1/checkout", body: #"{"cart_id": "CARTID", "email": "a@b.co", "payment_token": "tok_ok", "shipping_address": {"name": "A", "line1": "B", "city": "C", "postal_code": "1", "country": "US"}}"#, status: 400, code: "validation_failed"),
        .init(method: .get, path: "/v1/orders/6f1c8a9e-0000-4000-8000-000000000000", withToken: false, status: 401, code: "unauthorized"),
        .init(method: .get, path: "/v1/orders/6f1c8a9e-0000-4000-8000-000000000000", status: 404, code: "not_found"),
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
            let body = testCase.body?.replacingOccurrences(of: "CARTID", with: cart.0)
            let reply = try await store.send(testCase.method, path, headers: headers, body: body)
            #expect(Int(reply.status.code) == testCase.status, "\(reply.body)")
            #expect(reply.headers[.contentType] == "application/problem+json")
            #expect(reply.code == testCase.code)
            let detail = (try reply.json())["detail"] as? String ?? ""
            #expect(!detail.isEmpty)
        }
    }
}
