import Foundation
import HTTPTypes
import Hummingbird
import Storefront
import Testing

/// Proves `/openapi.json` matches the implementation: real responses validate against the schema
/// documented for their status (the routes and request limits: `APIContractTests`).
@Suite struct OpenAPIConformanceTests {
    // Immutable after initialisation and only read.
    nonisolated(unsafe) static let document: [String: Any] = (try? JSONSerialization.jsonObject(with: Data(OpenAPIDocument.json.utf8)) as? [String: Any]) ?? [:]

    // The routed and documented operations are compared in `APIContractTests` (with telemetry's routes).

    @Test func realResponsesMatchTheirDocumentedSchemas() async throws {
        try await StoreHarness.run { store in
            _ = try await CatalogSeeder(database: store.database).seed(.init(products: 50, seed: 1, quiet: true))
            let variant = try await store.int("SELECT min(variant_id)::int FROM stock WHERE on_hand > 0")
            let cart = try await store.createCart()
            let added = try await store.add(cart: cart, variant: Int64(variant))
            let line = (try added.json()["lines"] as? [[String: Any]])?.first?["id"] as? Int ?? 0
            let order = try await store.checkout(cart: cart, key: "openapi-1")
            let orderID = try order.json()["id"] as? String ?? ""
            let checks: [(HTTPRequest.Method, String, String, StoreHarness.Reply)] = [
                (.get, "/health/live", "/health/live", try await store.send(.get, "/health/live")),
                (.get, "/health/ready", "/health/ready", try await store.send(.get, "/health/ready")),
                (.get, "/v1/categories", "/v1/categories", try await store.send(.get, "/v1/categories")),
                (.get, "/v1/products", "/v1/products", try await store.send(.get, "/v1/products?facets=true&limit=3")),
                (.get, "/v1/products", "/v1/products", try await store.send(.get, "/v1/products?limit=0")),
                (.get, "/v1/products/{id}", "/v1/products/{id}", try await store.send(.get, "/v1/products/1")),
                (.get, "/v1/products/{id}", "/v1/products/{id}", try await store.send(.get, "/v1/products/123456")),
                (.post, "/v1/carts/{id}/items", "", added),
                (.patch, "/v1/carts/{id}/items/{line}", "", try await store.send(.patch, "/v1/carts/\(cart.0)/items/\(line)",
                    headers: [StoreHarness.cartToken: cart.1], body: #"{"quantity": 2}"#)),
                (.get, "/v1/carts/{id}", "", try await store.send(.get, "/v1/carts/\(cart.0)", headers: [StoreHarness.cartToken: cart.1])),
                (.post, "/v1/checkout", "", order),
                (.get, "/v1/orders/{id}", "", try await store.send(.get, "/v1/orders/\(orderID)", headers: [StoreHarness.cartToken: cart.1])),
                (.post, "/v1/carts", "", try await store.send(.post, "/v1/carts")),
                (.get, "/openapi.json", "", try await store.send(.get, "/openapi.json")),
            ]
            for (method, path, _, reply) in checks {
                let errors = Self.validate(reply, method: method, path: path)
                #expect(errors.isEmpty, "\(method) \(path) \(reply.status.code): \(errors)")
            }
        }
    }

    static func validate(_ reply: StoreHarness.Reply, method: HTTPRequest.Method, path: String) -> [String] {
        let paths = document["paths"] as? [String: [String: Any]] ?? [:]
        guard let operation = paths[path]?[method.rawValue.lowercased()] as? [String: Any],
              var response = (operation["responses"] as? [String: Any])?["\(reply.status.code)"] as? [String: Any] else {
            return ["status \(reply.status.code) is not documented"]
        }
        if let ref = response["$ref"] as? String { response = resolve(ref) }
        guard let content = response["content"] as? [String: Any] else { return ["no content documented"] }
        let type = reply.headers[.contentType] ?? ""
        guard let media = content[type] as? [String: Any], let schema = media["schema"] as? [String: Any] else {
            return ["content type \(type) is not documented"]
        }
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(reply.body.utf8)) else {
            return ["body is not JSON"]
        }
        return check(value, against: schema, at: "$")
    }

    static func resolve(_ ref: String) -> [String: Any] {
        var node: Any = document
        for part in ref.dropFirst(2).split(separator: "/") { node = (node as? [String: Any])?[String(part)] ?? [:] }
        return node as? [String: Any] ?? [:]
    }

    /// A small JSON Schema checker: `$ref`, `type`, `required`, `properties`, `items`, `enum`.
    static func check(_ value: JSONValue, against schema: [String: Any], at path: String) -> [String] {
        if let ref = schema["$ref"] as? String { return check(value, against: resolve(ref), at: path) }
        var errors: [String] = []
        if let type = schema["type"] as? String {
            let ok: Bool = switch (type, value) {
            case ("object", .object), ("array", .array), ("string", .string), ("integer", .integer), ("boolean", .bool): true
            case ("number", .integer), ("number", .double): true
            default: false
            }
            if !ok { return ["\(path) is not \(type)"] }
        }
        if let allowed = schema["enum"] as? [String], case .string(let string) = value, !allowed.contains(string) {
            errors.append("\(path) = \(string) is not one of \(allowed)")
        }
        if case .object(let object) = value {
            for key in schema["required"] as? [String] ?? [] where object[key] == nil { errors.append("\(path).\(key) is missing") }
            let properties = schema["properties"] as? [String: [String: Any]] ?? [:]
            for (key, child) in object {
                if let property = properties[key] {
                    errors += check(child, against: property, at: "\(path).\(key)")
                } else if !properties.isEmpty {
                    errors.append("\(path).\(key) is not documented")
                }
            }
        }
        if case .array(let array) = value, let items = schema["items"] as? [String: Any] {
            for (index, item) in array.enumerated() { errors += check(item, against: items, at: "\(path)[\(index)]") }
        }
        return errors
    }
}

/// JSON with integers, doubles and booleans kept apart (Foundation's JSONSerialization blurs them).
enum JSONValue: Decodable {
    case null, bool(Bool), integer(Int64), double(Double), string(String), array([JSONValue]), object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Int64.self) { self = .integer(value) }
        else if let value = try? container.decode(Double.self) { self = .double(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([JSONValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }
}
