import Database
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// The HTTP API: decode and validate, call the domain, encode. One list of endpoints builds the router.
public struct StoreAPI: Sendable {
    public let catalog: CatalogService
    /// Listing targets served before with their cache keys, for `answerableFromCache`.
    let listingTargets = ListingTargets()
    public let carts: CartService
    public let checkout: CheckoutService
    public let orders: OrderService
    let readiness: @Sendable () async -> Bool
    let deadlines: [RouteClass: Duration]

    public init(catalog: CatalogService, carts: CartService, checkout: CheckoutService, orders: OrderService,
                deadlines: [RouteClass: Duration] = [:], readiness: @escaping @Sendable () async -> Bool) {
        self.deadlines = deadlines
        self.catalog = catalog
        self.carts = carts
        self.checkout = checkout
        self.orders = orders
        self.readiness = readiness
    }

    typealias Handler = @Sendable (Request, StoreRequestContext) async throws -> Response

    static let cartToken = HTTPField.Name("X-Cart-Token")!
    static let orderToken = HTTPField.Name("X-Order-Token")!
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!

    /// Every public operation with its handler.
    func endpoints() -> [(StoreEndpoint, Handler)] {
        [
            (.init(method: .get, path: "/health/live", routeClass: .system), { _, _ in try Self.json(["status": "live"]) }),
            (.init(method: .get, path: "/health/ready", routeClass: .system), { _, _ in
                guard await readiness() else {
                    throw Problem.unavailable("not_ready", "the database is unreachable or not migrated yet")
                }
                return try Self.json(["status": "ready"])
            }),
            (.init(method: .get, path: "/v1/categories", routeClass: .browse), { _, context in
                try Self.json(["categories": try await catalog.categories(read: context.catalogRead).nodes])
            }),
            (.init(method: .get, path: "/v1/products", routeClass: .browse), { request, context in
                var parameters: [String: String] = [:]
                for (key, value) in request.uri.queryParameters { parameters[String(key)] = String(value) }
                let query = try ProductQuery(parameters: parameters)
                if catalog.isCaching { listingTargets.remember(target: request.uri.string, key: query.cacheKey) }
                return try Self.json(try await catalog.products(query, read: context.catalogRead))
            }),
            (.init(method: .get, path: "/v1/products/{id}", routeClass: .browse), { _, context in
                // PostgreSQL built the body: pass it through (see ProductDetailStatement).
                Response(status: .ok, headers: [.contentType: "application/json"],
                         body: .init(byteBuffer: try await catalog.productJSON(id: Self.int64(context, "id", what: "product id"),
                                                                               read: context.catalogRead)))
            }),
            (.init(method: .post, path: "/v1/carts", routeClass: .cart), { request, context in
                let body = try await Self.optionalBody(CreateCartRequest.self, request, context)
                return try Self.json(try await carts.create(currency: body?.currency ?? "USD"), status: .created)
            }),
            (.init(method: .get, path: "/v1/carts/{id}", routeClass: .cart), { request, context in
                try Self.json(try await carts.load(id: Self.uuid(context, "id", what: "cart id"), token: Self.token(request)))
            }),
            (.init(method: .post, path: "/v1/carts/{id}/items", routeClass: .cart), { request, context in
                let body = try await request.decode(as: AddItemRequest.self, context: context)
                return try Self.json(try await carts.addItem(
                    cartID: Self.uuid(context, "id", what: "cart id"), token: Self.token(request),
                    expectedVersion: ifMatch(request, cartID: Self.uuid(context, "id", what: "cart id")), body))
            }),
            (.init(method: .patch, path: "/v1/carts/{id}/items/{line}", routeClass: .cart), { request, context in
                let body = try await request.decode(as: UpdateItemRequest.self, context: context)
                return try Self.json(try await carts.updateItem(
                    cartID: Self.uuid(context, "id", what: "cart id"), token: Self.token(request),
                    lineID: Self.int64(context, "line", what: "line id"),
                    expectedVersion: ifMatch(request, cartID: Self.uuid(context, "id", what: "cart id")),
                    quantity: body.quantity))
            }),
            (.init(method: .delete, path: "/v1/carts/{id}/items/{line}", routeClass: .cart), { request, context in
                try Self.json(try await carts.removeItem(
                    cartID: Self.uuid(context, "id", what: "cart id"), token: Self.token(request),
                    lineID: Self.int64(context, "line", what: "line id"),
                    expectedVersion: ifMatch(request, cartID: Self.uuid(context, "id", what: "cart id"))))
            }),
            (.init(method: .post, path: "/v1/checkout", routeClass: .checkout), { request, context in
                guard let key = request.headers[Self.idempotencyKey] else {
                    throw StoreError.validation("the Idempotency-Key header is required: send a unique key per purchase, e.g. a UUID")
                }
                let body = try await request.decode(as: CheckoutRequest.self, context: context)
                let stored = try await checkout.checkout(idempotencyKey: key, cartToken: Self.token(request), body)
                return Response(
                    status: .init(code: stored.status),
                    headers: [.contentType: stored.contentType],
                    body: .init(byteBuffer: ByteBuffer(string: stored.body))
                )
            }),
            (.init(method: .get, path: "/v1/orders/{id}", routeClass: .cart), { request, context in
                let token = [Self.orderToken, Self.cartToken].lazy.compactMap { request.headers[$0] }.first { !$0.isEmpty }
                guard let token else {
                    throw Problem.unauthorized("send the order's X-Order-Token (or the cart's X-Cart-Token)")
                }
                return try Self.json(try await orders.order(id: Self.uuid(context, "id", what: "order id"), token: token))
            }),
            (.init(method: .get, path: "/openapi.json", routeClass: .system), { _, _ in
                Response(status: .ok, headers: [.contentType: "application/json"],
                         body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.json)))
            }),
        ]
    }

    /// The deadline of requests of `routeClass` (configured, or the class's default).
    func deadline(_ routeClass: RouteClass) -> Duration { deadlines[routeClass] ?? routeClass.deadline }

    /// Adds every endpoint to `router`, each checked against the API document first. The deadline and
    /// query attribution come from `RequestLifecycleMiddleware`, which `StoreApplication.router` puts
    /// in front of them.
    public func register(on router: Router<StoreRequestContext>) {
        for (endpoint, handler) in endpoints() {
            let route = endpoint.route
            router.on(RouterPath(endpoint.path), method: endpoint.method) { request, context -> Response in
                // What the document allows, checked before any work: a request it forbids never reaches the domain.
                var request = request
                try RequestContract.store.checkParameters(request, parameters: context.parameters, route: route)
                try await RequestContract.store.checkBody(&request, context: context, route: route)
                return try await handler(request, context)
            }
        }
    }

    /// Whether the catalog cache can answer a `GET` of `target` (path and query) for the browse
    /// endpoint `route` right now, with no query: the admission layer serves such a request from the
    /// cache (`CatalogRead.cacheOnly`) rather than shed it. Only asked when the limiter would shed.
    public func answerableFromCache(route: String, target: Substring) -> Bool {
        guard catalog.isCaching else { return false }
        switch route {
        case "/v1/products/{id}":
            guard let id = Self.productID(target) else { return false }
            return catalog.canAnswerProduct(id: id)
        case "/v1/products":
            return listingTargets.key(for: String(target)).map(catalog.canAnswerListing(key:)) ?? false
        case "/v1/categories":
            return catalog.canAnswerCategories
        default:
            return false
        }
    }

    /// What the admission layer may answer from the catalog cache under overload (`.none` when not
    /// `enabled`). `serverName` is the `Server` header the HTTP server sends.
    func cachedAnswers(enabled: Bool, serverName: String?) -> CachedAnswers {
        guard enabled, catalog.isCaching else { return .none }
        return CachedAnswers(
            canAnswer: { route, target in self.answerableFromCache(route: route, target: target) },
            response: { route, target, conditions in
                self.productPageResponse(route: route, target: target, conditions: conditions, serverName: serverName)
            },
            cacheable: { route, target in self.cacheable(route: route, target: target) })
    }

    /// Whether the catalog cache keeps the answer to a `GET` of `target` for the endpoint `route` once
    /// it is read: a product page, a listing the cache keys, the category tree.
    public func cacheable(route: String, target: Substring) -> Bool {
        guard catalog.isCaching else { return false }
        switch route {
        case "/v1/products/{id}": return Self.productID(target) != nil
        // Every listing page read is kept (a target that does not parse is a quick 400, no statement).
        case "/v1/products", "/v1/categories": return true
        default: return false
        }
    }

    /// The whole HTTP/1.1 answer to `GET /v1/products/{id}` from the cache, byte for byte the head and
    /// body the router sends (`ConditionalGetMiddleware`'s `ETag`, `Cache-Control` and 304, the
    /// server's `Date` and `Server`): `CachedAnswersTests` compares the two. `nil` for anything else.
    func productPageResponse(route: String, target: Substring, conditions: CachedAnswers.Conditions, serverName: String?) -> CachedAnswers.Answer? {
        guard route == "/v1/products/{id}", let id = Self.productID(target), let body = catalog.cachedProductJSON(id: id) else { return nil }
        return Self.productPageAnswer(body: body, conditions: conditions, httpCaching: true, serverName: serverName)
    }

    /// The router's answer to `GET /v1/products/{id}` whose page is `body`, as HTTP/1.1 bytes: with
    /// `httpCaching` (the guarded profile's `ConditionalGetMiddleware`), an `ETag`, `Cache-Control`
    /// when anonymous, and 304 for a matching `If-None-Match`.
    static func productPageAnswer(body: ByteBuffer, conditions: CachedAnswers.Conditions, httpCaching: Bool, serverName: String?) -> CachedAnswers.Answer {
        var answer = RawAnswer(.ok)
        answer.field(.contentType, "application/json")
        answer.field(.contentLength, "\(body.readableBytes)")
        if httpCaching && body.readableBytes <= ConditionalGetMiddleware<StoreRequestContext>.maximumBytes {
            let tag = "\"\(EntityTag.hash(body.readableBytesView))\""
            if let condition = conditions.ifNoneMatch, EntityTag.matches(condition, tag) {
                var notModified = RawAnswer(.notModified)
                notModified.field(.eTag, tag)
                if conditions.anonymous { notModified.field(.cacheControl, ConditionalGetMiddleware<StoreRequestContext>.cacheControl) }
                return notModified.bytes(serverName: serverName)
            }
            answer.field(.eTag, tag)
            if conditions.anonymous { answer.field(.cacheControl, ConditionalGetMiddleware<StoreRequestContext>.cacheControl) }
        }
        return answer.bytes(serverName: serverName, body: body)
    }

    /// The id of a `/v1/products/{id}` target (its last path segment), as the router would read it.
    static func productID(_ target: Substring) -> Int64? {
        let path = target[..<(target.firstIndex(of: "?") ?? target.endIndex)]
        guard let slash = path.lastIndex(of: "/") else { return nil }
        return Int64(path[path.index(after: slash)...])
    }

    /// The endpoints the router serves (for the OpenAPI conformance test and the docs).
    public var endpointList: [StoreEndpoint] { endpoints().map(\.0) }

    // MARK: - Helpers

    /// A hot response type writes its own JSON (the same bytes, without JSONEncoder's cost).
    static func json(_ value: some JSONWritable, status: HTTPResponse.Status = .ok) throws -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: value.jsonBuffer))
    }

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try StoreJSON.encoder.encode(value)
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// The body as `T`, or `nil` when none was sent (no bytes, however framed).
    static func optionalBody<T: Decodable>(_ type: T.Type, _ request: Request, _ context: StoreRequestContext) async throws -> T? {
        var request = request
        let buffer = try await request.collectBody(upTo: context.maxUploadSize)
        if buffer.readableBytes == 0 { return nil }
        return try await request.decode(as: T.self, context: context)
    }

    static func token(_ request: Request) throws -> String {
        guard let token = request.headers[cartToken], !token.isEmpty else {
            throw Problem.unauthorized("send the cart's token (returned by POST /v1/carts) in the X-Cart-Token header")
        }
        return token
    }

    /// The cart version `If-Match` asks for (`nil`: no condition, or `*`). A condition no version can
    /// meet (a weak tag, which RFC 9110 never lets match in `If-Match`, or a tag that is not a
    /// version) is 412 `precondition_failed`, once the cart is known to exist and be the caller's.
    func ifMatch(_ request: Request, cartID: UUID) async throws -> Int? {
        guard let raw = request.headers[.ifMatch] else { return nil }
        switch CartCondition(raw) {
        case .any: return nil
        case .version(let version): return version
        case .never:
            _ = try await carts.load(id: cartID, token: Self.token(request))
            throw Problem("precondition_failed", .preconditionFailed,
                             "If-Match \(JSONSchema.excerpt(raw)) can never match: send the cart's version as a strong tag, e.g. \"3\"")
        }
    }

    static func int64(_ context: StoreRequestContext, _ name: String, what: String) throws -> Int64 {
        guard let raw = context.parameters.get(name), let value = Int64(raw), value > 0 else {
            throw StoreError.validation("\(what) must be a positive integer")
        }
        return value
    }

    static func uuid(_ context: StoreRequestContext, _ name: String, what: String) throws -> UUID {
        guard let raw = context.parameters.get(name), let value = UUID(uuidString: raw) else {
            throw StoreError.validation("\(what) must be a UUID")
        }
        return value
    }
}
