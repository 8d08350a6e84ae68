import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
@testable import Storefront
import Telemetry
import Testing
import TestSupport

/// The document and the server agree in both directions: every limit the document states is the one
/// the server enforces (at the limit accepted, past it a 400 problem+json), no domain rule refuses a
/// value the document allows, every route is documented, and HEAD, 405 and Content-Type follow HTTP.
@Suite struct APIContractTests {
    /// One request a test sends: where, with which headers and body (JSON text).
    struct Probe {
        var method: HTTPRequest.Method
        var path: String
        var query: [(String, String)] = []
        var headers: HTTPFields = [:]
        var body: String?
    }

    /// A value to try and whether the document allows it.
    struct Boundary {
        var what: String
        /// Query, path and header values as sent; for bodies, the JSON text of the value.
        var value: String
        var allowed: Bool
    }

    static func percentEncoded(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }

    /// A string `schema` allows, `length` code points long, made from `seed` (a value it allows); nil if none of the shapes tried fits.
    static func text(_ schema: JSONSchema, length: Int, seed: String) -> String? {
        guard length >= 0 else { return nil }
        let seedLength = seed.unicodeScalars.count
        var candidates = ["a", "A", "7", "!"].map { String(repeating: $0, count: length) }
        if length >= seedLength {
            candidates.append(String(repeating: "a", count: length - seedLength) + seed)
            candidates.append(String(seed.prefix(1)) + String(repeating: "a", count: length - seedLength) + String(seed.dropFirst()))
        }
        if length >= 2 { candidates.append("\"" + String(repeating: "a", count: length - 2) + "\"") }
        return candidates.first { $0.unicodeScalars.count == length && schema.violation(ofText: $0, field: "x") == nil }
    }

    /// Values at and just past each limit `schema` states, as text (integers as decimal: past
    /// Int64.max included), with `seed` a value it allows.
    static func boundaries(_ schema: JSONSchema, seed: String, inBody: Bool, inHeader: Bool) -> [Boundary] {
        func quoted(_ text: String) -> String {
            guard inBody else { return text }
            let data = (try? JSONSerialization.data(withJSONObject: [text], options: [.fragmentsAllowed])) ?? Data()
            return String(decoding: data, as: UTF8.self).dropFirst().dropLast().description
        }
        var cases: [Boundary] = []
        switch schema.type {
        case .integer?:
            if let minimum = schema.minimum {
                cases.append(.init(what: "minimum", value: "\(minimum)", allowed: true))
                cases.append(.init(what: "below minimum", value: "\(Decimal(minimum) - 1)", allowed: false))
            }
            if let maximum = schema.maximum {
                cases.append(.init(what: "maximum", value: "\(maximum)", allowed: true))
                cases.append(.init(what: "above maximum", value: "\(Decimal(maximum) + 1)", allowed: false))
            }
            cases.append(.init(what: "not an integer", value: inBody ? "1.5" : "abc", allowed: false))
        case .boolean?:
            cases.append(.init(what: "true", value: "true", allowed: true))
            cases.append(.init(what: "false", value: "false", allowed: true))
            cases.append(.init(what: "not a boolean", value: inBody ? "1" : "yes", allowed: false))
        case .string?:
            if let values = schema.enumeration {
                cases += values.map { .init(what: "enum \($0)", value: quoted($0), allowed: true) }
                cases.append(.init(what: "not in enum", value: quoted("zz-not-listed"), allowed: false))
            }
            if let maxLength = schema.maxLength {
                if let atLimit = text(schema, length: maxLength, seed: seed) {
                    cases.append(.init(what: "maxLength", value: quoted(atLimit), allowed: true))
                }
                cases.append(.init(what: "over maxLength", value: quoted(String(repeating: "a", count: maxLength + 1)), allowed: false))
            }
            if let minLength = schema.minLength, minLength > 0 {
                if let atLimit = text(schema, length: minLength, seed: seed) {
                    cases.append(.init(what: "minLength", value: quoted(atLimit), allowed: true))
                }
                cases.append(.init(what: "under minLength", value: quoted(String(repeating: "a", count: minLength - 1)), allowed: false))
            }
            if !inHeader, schema.pattern != nil, schema.violation(ofText: seed + "\u{0}", field: "x") != nil {
                cases.append(.init(what: "NUL", value: quoted(seed + "\u{0}"), allowed: false))
            }
            if !inHeader, schema.enumeration == nil, schema.format == nil {
                // Odd but allowed Unicode: right-to-left text, an emoji, a combining mark.
                let odd = String(seed.prefix(1)) + "\u{05E9}\u{1F600}e\u{0301}"
                if schema.violation(ofText: odd, field: "x") == nil {
                    cases.append(.init(what: "odd Unicode", value: quoted(odd), allowed: true))
                }
            }
            if schema.format == "uuid" {
                cases.append(.init(what: "uuid", value: quoted(UUID().uuidString.lowercased()), allowed: true))
                cases.append(.init(what: "not a uuid", value: quoted("not-a-uuid"), allowed: false))
            }
        default:
            break
        }
        return cases
    }

    /// Every documented limit of every store operation, tried at and past the limit against a real store.
    @Test func everyDocumentedLimitIsTheLimitTheServerEnforces() async throws {
        try await StoreHarness.run { store in
            let variant = try await store.product(id: 42, variants: [(price: 100, onHand: 100_000)])[0]
            let other = try await store.product(id: 43, variants: [(price: 100, onHand: 100_000)])[0]
            let cart = try await store.createCart()
            _ = try await store.add(cart: cart, variant: variant)
            // A second line for PATCH: DELETE's boundary at its minimum id removes the first.
            let added = try await store.add(cart: cart, variant: other)
            let line = (try added.json()["lines"] as? [[String: Any]])?.compactMap { $0["id"] as? Int }.max() ?? 0
            let token: HTTPFields = [StoreHarness.cartToken: cart.1]
            let checkoutBody: [String: Any] = [
                "cart_id": cart.0, "email": "ada@example.com", "payment_token": "tok_ok",
                "shipping_address": ["name": "Ada", "line1": "1 Loop Road", "line2": "Flat 2", "city": "Cupertino", "postal_code": "95014", "country": "US"],
            ]
            // A request each operation accepts, and the value each parameter has in it.
            let bases: [String: (Probe, [String: String], [String: Any]?)] = [
                "GET /v1/categories": (Probe(method: .get, path: "/v1/categories"), ["If-None-Match": "\"x\""], nil),
                "GET /v1/products": (Probe(method: .get, path: "/v1/products"),
                                     ["q": "lamp", "sort": "price", "cursor": "abc", "If-None-Match": "\"x\""], nil),
                "GET /v1/products/{id}": (Probe(method: .get, path: "/v1/products/{id}"), ["id": "42", "If-None-Match": "\"x\""], nil),
                "POST /v1/carts": (Probe(method: .post, path: "/v1/carts"), ["currency": "EUR"], ["currency": "EUR"]),
                "GET /v1/carts/{id}": (Probe(method: .get, path: "/v1/carts/{id}", headers: token), ["id": cart.0], nil),
                "POST /v1/carts/{id}/items": (Probe(method: .post, path: "/v1/carts/{id}/items", headers: token),
                                              ["id": cart.0, "If-Match": "*"], ["variant_id": variant, "quantity": 1]),
                "PATCH /v1/carts/{id}/items/{line}": (Probe(method: .patch, path: "/v1/carts/{id}/items/{line}", headers: token),
                                                      ["id": cart.0, "line": "\(line)", "If-Match": "*"], ["quantity": 2]),
                "DELETE /v1/carts/{id}/items/{line}": (Probe(method: .delete, path: "/v1/carts/{id}/items/{line}", headers: token),
                                                       ["id": cart.0, "line": "999999", "If-Match": "*"], nil),
                "POST /v1/checkout": (Probe(method: .post, path: "/v1/checkout", headers: token), ["Idempotency-Key": "key-1"], checkoutBody),
                "GET /v1/orders/{id}": (Probe(method: .get, path: "/v1/orders/{id}", headers: token), ["id": UUID().uuidString], nil),
            ]
            let routes = Set(store.api.endpointList.map(\.route))
            var failures: [String] = []
            var tried = 0
            for (route, operation) in RequestContract.store.operations.sorted(by: { $0.key < $1.key }) where routes.contains(route) {
                let hasInput = !operation.parameters.isEmpty || operation.body != nil
                guard let (base, seeds, baseBody) = bases[route] else {
                    if hasInput { failures.append("\(route): no base request in this test; add one") }
                    continue
                }
                func send(_ parameters: [String: String], body: String?) async throws -> StoreHarness.Reply {
                    var probe = base
                    for parameter in operation.parameters {
                        guard let value = parameters[parameter.name] else { continue }
                        switch parameter.location {
                        case .path: probe.path = probe.path.replacingOccurrences(of: "{\(parameter.name)}", with: Self.percentEncoded(value))
                        case .query: probe.query.append((parameter.name, value))
                        case .header: probe.headers[HTTPField.Name(parameter.name)!] = value
                        }
                    }
                    if route == "POST /v1/checkout" && parameters["Idempotency-Key"] == seeds["Idempotency-Key"] {
                        probe.headers[StoreHarness.idempotencyKey] = UUID().uuidString
                    }
                    let query = probe.query.map { "\($0)=\(Self.percentEncoded($1))" }.joined(separator: "&")
                    return try await store.send(probe.method, probe.path + (query.isEmpty ? "" : "?" + query), headers: probe.headers, body: body)
                }
                let baseBodyText = try baseBody.map { String(decoding: try JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys]), as: UTF8.self) }
                func judge(_ what: String, allowed: Bool, _ reply: StoreHarness.Reply) {
                    tried += 1
                    if allowed {
                        if reply.status.code == 400 || reply.status.code >= 500 { failures.append("\(route) \(what): allowed by the document, answered \(reply.status.code) \(reply.body)") }
                    } else if reply.status.code != 400 || reply.code != "validation_failed" || reply.headers[.contentType] != "application/problem+json" {
                        failures.append("\(route) \(what): forbidden by the document, answered \(reply.status.code) \(reply.body)")
                    }
                }
                var parameters: [String: String] = [:]
                for parameter in operation.parameters where parameter.location == .path || parameter.required {
                    parameters[parameter.name] = seeds[parameter.name] ?? "x"
                }
                judge("the base request", allowed: true, try await send(parameters, body: baseBodyText))
                for parameter in operation.parameters {
                    let seed = seeds[parameter.name] ?? "x"
                    for boundary in Self.boundaries(parameter.schema, seed: seed, inBody: false, inHeader: parameter.location == .header) {
                        var values = parameters
                        values[parameter.name] = boundary.value
                        judge("\(parameter.name) \(boundary.what) '\(boundary.value.prefix(30))'", allowed: boundary.allowed,
                              try await send(values, body: baseBodyText))
                    }
                    if parameter.required {
                        var values = parameters
                        values[parameter.name] = nil
                        judge("\(parameter.name) missing", allowed: false, try await send(values, body: baseBodyText))
                    }
                }
                guard let schema = operation.body, let baseBody else { continue }
                // Each property at and past its limits, each required one missing, an unknown one added.
                func walk(_ schema: JSONSchema, at path: [String], in body: [String: Any]) async throws {
                    let object = path.isEmpty ? body : Self.get(body, path) as? [String: Any] ?? [:]
                    for (name, property) in schema.properties.sorted(by: { $0.key < $1.key }) {
                        /// The base body with this property's value replaced by the JSON text `text` (`nil` removes it).
                        func replacing(_ text: String?) throws -> String {
                            let marker = "__boundary__"
                            let data = try JSONSerialization.data(withJSONObject: Self.set(body, path + [name], text == nil ? nil : marker), options: [.sortedKeys])
                            return String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\"\(marker)\"", with: text ?? "")
                        }
                        let field = (path + [name]).joined(separator: ".")
                        if property.type == .object {
                            try await walk(property, at: path + [name], in: body)
                            continue
                        }
                        let seed = object[name].map { "\($0)" } ?? "x"
                        for boundary in Self.boundaries(property, seed: seed, inBody: true, inHeader: false) {
                            judge("body \(field) \(boundary.what) \(boundary.value.prefix(30))", allowed: boundary.allowed,
                                  try await send(parameters, body: try replacing(boundary.value)))
                        }
                        judge("body \(field) null", allowed: false, try await send(parameters, body: try replacing("null")))
                        if schema.required.contains(name) {
                            judge("body \(field) missing", allowed: false, try await send(parameters, body: try replacing(nil)))
                        }
                    }
                    if !schema.additionalProperties {
                        var extended = object
                        extended["unexpected"] = 1
                        let data = try JSONSerialization.data(withJSONObject: path.isEmpty ? extended : Self.set(body, path, extended), options: [.sortedKeys])
                        judge("body \(path.joined(separator: ".")) with an unknown field", allowed: false,
                              try await send(parameters, body: String(decoding: data, as: UTF8.self)))
                    }
                }
                try await walk(schema, at: [], in: baseBody)
                for text in ["[]", "\"text\"", "{\"a\":", "{\"quantity\": \"\\ud800\"}", "{\"currency\": \"US\\u0000\"}"] {
                    judge("body \(text)", allowed: false, try await send(parameters, body: text))
                }
            }
            #expect(tried > 150, "\(tried) boundaries tried")
            #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
        }
    }

    static func get(_ object: [String: Any], _ path: [String]) -> Any? {
        guard let first = path.first else { return object }
        guard let child = object[first] else { return nil }
        if path.count == 1 { return child }
        return (child as? [String: Any]).flatMap { get($0, Array(path.dropFirst())) }
    }

    /// `object` with the value at `path` replaced (`nil` removes it).
    static func set(_ object: [String: Any], _ path: [String], _ value: Any?) -> [String: Any] {
        var copy = object
        guard let first = path.first else { return copy }
        if path.count == 1 {
            copy[first] = value
        } else {
            copy[first] = set(copy[first] as? [String: Any] ?? [:], Array(path.dropFirst()), value)
        }
        return copy
    }

    /// Domain rules read text as the document does, in code points: a "." followed by an emoji modifier
    /// is one Character but still a dot (the fuzzer found a valid email refused), and 200 flags (400
    /// code points, 200 Characters) are over q's limit of 200.
    @Test func domainRulesCountCodePointsAsTheDocumentDoes() throws {
        let address = CheckoutRequest.Address(name: "A", line1: "B", line2: nil, city: "C", postalCode: "1", country: "US")
        let request = CheckoutRequest(cartId: UUID(), email: "\u{12}@.\u{1F3FB}x", shippingAddress: address, paymentToken: "tok_ok")
        let email = try #require(RequestContract.store.operations["POST /v1/checkout"]?.body?.properties["email"])
        #expect(email.violation(ofText: request.email, field: "email") == nil, "the document allows it")
        try request.validate()
        let flags = String(repeating: "\u{1F1FA}\u{1F1F8}", count: 100)
        #expect(flags.count == 100 && flags.unicodeScalars.count == 200)
        #expect(throws: Never.self) { try ProductQuery(parameters: ["q": flags]) }
        #expect(throws: StoreError.self) { try ProductQuery(parameters: ["q": flags + "\u{1F1FA}"]) }
    }

    /// `ProductPages` answers `GET /v1/products/{id}` from the request's bytes without `RequestContract`:
    /// it takes only ids of 1 to 18 digits not starting with 0 (all within the document's 1...2^63-1)
    /// and passes every other request to the router. That stays the contract only while the document
    /// gives the page no other constrained input: this fails if it does, so the fast lane learns it too.
    @Test func theProductPageFastLaneChecksAllTheDocumentAsks() throws {
        let operation = try #require(RequestContract.store.operations["GET /v1/products/{id}"])
        let constrained = operation.parameters.filter { parameter in
            let schema = parameter.schema
            return !(parameter.name == "If-None-Match" && schema.pattern == nil && schema.maxLength == nil && schema.enumeration == nil)
        }
        #expect(constrained.map(\.name) == ["id"])
        let id = try #require(constrained.first?.schema)
        #expect(id.minimum == 1 && id.maximum == Int64.max)
        #expect(ProductPages.productID("/v1/products/999999999999999999".utf8) == 999_999_999_999_999_999)
        for target in ["/v1/products/0", "/v1/products/01", "/v1/products/-1", "/v1/products/1000000000000000000", "/v1/products/1a"] {
            #expect(ProductPages.productID(target.utf8) == nil, "\(target) goes to the router")
        }
    }

    /// The "no NUL" pattern is checked without the regex engine; both give the same answers.
    @Test func theNoNULFastPathAgreesWithTheRegex() throws {
        let pattern = try SchemaPattern(SchemaPattern.noNUL)
        for text in ["", "a", "\u{0}", "a\u{0}b", "line\nbreak\n", "\u{05E9}\u{1F600}e\u{0301}", "\u{FFFD}", String(repeating: "x", count: 300)] {
            #expect(pattern.matches(text) == pattern.matchesByExpression(text), "\(text.debugDescription)")
        }
        let q = try #require(RequestContract.store.operations["GET /v1/products"]?.parameters.first { $0.name == "q" })
        #expect(q.schema.pattern?.source == SchemaPattern.noNUL, "the document's text pattern is the one with the fast path")
    }

    /// No text a client sends reaches PostgreSQL unbounded or with NUL: every string the document lets
    /// a client send has a maximum length and a pattern, an enum or a format that excludes NUL.
    @Test func everyClientStringIsBoundedAndExcludesNUL() throws {
        var unbounded: [String] = []
        func check(_ schema: JSONSchema, _ name: String) {
            if schema.type == .string {
                let bounded = schema.enumeration != nil || schema.format == "uuid" || schema.maxLength != nil
                let noNUL = schema.enumeration != nil || schema.format == "uuid" || schema.violation(ofText: "a\u{0}", field: "x") != nil
                if !(bounded && noNUL) { unbounded.append(name) }
            }
            for (key, child) in schema.properties { check(child, "\(name).\(key)") }
            if let items = schema.items { check(items, "\(name)[]") }
        }
        for (route, operation) in RequestContract.store.operations {
            // If-None-Match is compared with an ETag, never stored; the HTTP/1 parser bounds it and refuses NUL.
            for parameter in operation.parameters where parameter.name != "If-None-Match" { check(parameter.schema, "\(route) \(parameter.name)") }
            if let body = operation.body { check(body, "\(route) body") }
        }
        #expect(unbounded.isEmpty, "\(unbounded.sorted())")
    }

    /// Every route the router has (the store's and telemetry's) is in the document, and every
    /// documented operation is routed.
    @Test func theRouterAndTheDocumentListTheSameOperations() async throws {
        try await StoreHarness.run { store in
            let telemetry = Telemetry(configuration: .init(adminToken: "token"), logger: .init(label: "test"))
            let router = StoreApplication.router(api: store.api, telemetry: telemetry)
            let routed = Set(router.routes.map { "\($0.method.rawValue) \($0.path.description)" })
            let paths = OpenAPIConformanceTests.document["paths"] as? [String: [String: Any]] ?? [:]
            let documented = Set(paths.flatMap { path, item in item.keys.filter { $0 != "parameters" }.map { "\($0.uppercased()) \(path)" } })
            #expect(routed.subtracting(documented).isEmpty, "routed, not documented: \(routed.subtracting(documented).sorted())")
            #expect(documented.subtracting(routed).isEmpty, "documented, not routed: \(documented.subtracting(routed).sorted())")
        }
    }

    /// A known path with a method it does not have is 405 problem+json with `Allow` (HEAD wherever
    /// GET is); an unknown path is 404 whatever the method.
    @Test func aWrongMethodOnAKnownPathIs405WithAllow() async throws {
        let telemetry = Telemetry(configuration: .init(adminToken: "token"), logger: .init(label: "test"))
        try await StoreHarness.run(telemetry: telemetry) { store in
            let paths = OpenAPIConformanceTests.document["paths"] as? [String: [String: Any]] ?? [:]
            let methods: [HTTPRequest.Method] = [.get, .head, .post, .put, .patch, .delete, .options, .trace, .init("PURGE")!]
            for (path, item) in paths where !path.hasPrefix("/dashboard/events") {
                let concrete = path.replacingOccurrences(of: "{id}", with: "42").replacingOccurrences(of: "{line}", with: "1")
                var allowed = Set(item.keys.map { $0.uppercased() })
                if allowed.contains("GET") { allowed.insert("HEAD") }
                for method in methods where !allowed.contains(method.rawValue) {
                    let reply = try await store.send(method, concrete)
                    #expect(reply.status == .methodNotAllowed, "\(method) \(path): \(reply.status)")
                    #expect(reply.headers[.contentType] == "application/problem+json", "\(method) \(path)")
                    #expect(reply.code == "method_not_allowed" || method == .head, "\(method) \(path)")
                    let listed = Set((reply.headers[.allow] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
                    #expect(listed == allowed, "\(method) \(path): Allow \(reply.headers[.allow] ?? "none")")
                }
            }
            for method in [HTTPRequest.Method.get, .head, .put, .trace] {
                let unknown = try await store.send(method, "/v1/nothing-here")
                #expect(unknown.status == .notFound, "\(method)")
                #expect(unknown.headers[.contentType] == "application/problem+json", "\(method)")
            }
        }
    }

    /// HEAD on every GET route, over a real socket (so the HTTP/1 encoder drops the bodies as it must)
    /// with the store's connection handlers (product pages on the event loop) and ETags on (guarded):
    /// the GET's status and header fields, `Content-Length` and `ETag` included, and no body; every
    /// answer with a body says its type, a request the HTTP/1 parser refuses included.
    @Test func headIsGetWithoutTheBody() async throws {
        var logger = Logger(label: "surge.tests.head")
        logger.logLevel = .critical
        let telemetry = Telemetry(configuration: .init(adminToken: "token"), logger: logger)
        try await TestPostgres.withFreshDatabase { database, _ in
            var configuration = StoreConfiguration()
            configuration.profile = .guarded
            let api = StoreApplication.api(database: database, configuration: configuration, logger: logger)
            let pages = ProductPages(api: api, admission: nil, httpCaching: true, serverName: "surge", telemetry: nil, logger: logger)
            let app = Application(router: StoreApplication.router(api: api, telemetry: telemetry, httpCaching: true),
                                  server: .http1(configuration: .init(additionalChannelHandlers: StoreApplication.connectionHandlers(shed: nil, pages: pages))),
                                  configuration: .init(serverName: "surge"), logger: logger)
            try await app.test(.live) { client in
                let store = StoreHarness(database: database, api: api, client: client)
                try await store.product(id: 42, variants: [(price: 100, onHand: 5)])
                // What the HTTP/1 parser refuses (a control character in the target, a broken header line)
                // never reaches the router, and is still answered with problem+json.
                let port = try #require(client.port)
                for raw in ["GET /v1/products/\u{01} HTTP/1.1\r\nHost: x\r\n\r\n", "GET /v1/products/42 HTTP/1.1\r\nHost x\r\n\r\n"] {
                    let (channel, connection) = try await ProductPagesTests.RawConnection.connect(port: port)
                    try await channel.writeAndFlush(ByteBuffer(string: raw))
                    try await connection.waitFor { $0.contains("malformed_request") }
                    let text = connection.text
                    #expect(text.hasPrefix("HTTP/1.1 400 Bad Request"), "\(text)")
                    #expect(text.contains("Content-Type: application/problem+json"), "\(text)")
                    #expect(text.contains(#""code":"malformed_request""#), "\(text)")
                    try? await channel.close()
                }
                let cart = try await store.createCart()
                var headers: HTTPFields = [StoreHarness.cartToken: cart.1, .userAgent: "test"]
                let gets = ["/health/live", "/health/ready", "/v1/categories", "/v1/products?limit=2", "/v1/products?limit=0",
                            "/v1/products/42", "/v1/products/43", "/v1/products/abc", "/v1/carts/\(cart.0)", "/v1/orders/\(UUID())",
                            "/openapi.json", "/metrics", "/admin/alerts"]
                for uri in gets {
                    let get = try await client.execute(uri: uri, method: .get, headers: headers) { ($0.status, $0.headers, $0.body.readableBytes) }
                    let head = try await client.execute(uri: uri, method: .head, headers: headers) { ($0.status, $0.headers, $0.body.readableBytes) }
                    #expect(head.0 == get.0, "\(uri)")
                    #expect(head.2 == 0, "\(uri)")
                    #expect(head.1.map(\.name) == get.1.map(\.name), "\(uri)")
                    // /metrics changes between two scrapes (the first one is counted): compare its fields' names only.
                    for field in get.1 where field.name != .date && uri != "/metrics" { #expect(head.1[field.name] == field.value, "\(uri) \(field.name)") }
                    #expect(get.1[.contentLength] == "\(get.2)", "\(uri)")
                    #expect(get.1[.contentType]?.isEmpty == false, "\(uri) has a Content-Type")
                }
                // Anonymous product pages: the fast lane answers GET, the router HEAD; the same fields.
                headers = [.userAgent: "test"]
                let get = try await client.execute(uri: "/v1/products/42", method: .get, headers: headers) { $0.headers }
                let head = try await client.execute(uri: "/v1/products/42", method: .head, headers: headers) { $0.headers }
                #expect(get[.eTag] != nil && head[.eTag] == get[.eTag])
                #expect(head[.cacheControl] == get[.cacheControl] && head[.contentLength] == get[.contentLength])
                headers[.ifNoneMatch] = "W/" + (get[.eTag] ?? "")
                #expect(try await client.execute(uri: "/v1/products/42", method: .head, headers: headers) { $0.status } == .notModified)
                #expect(try await client.execute(uri: "/v1/products/42", method: .get, headers: headers) { $0.status } == .notModified)
            }
        }
    }
}
