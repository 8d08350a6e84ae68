import HTTPTypes
import Hummingbird

/// One operation of the public API: the single list the router is built from and the OpenAPI test checks.
public struct StoreEndpoint: Sendable, Hashable {
    public var method: HTTPRequest.Method
    /// The path in OpenAPI form (`/v1/products/{id}`).
    public var path: String
    public var routeClass: RouteClass

    /// The route label used in logs, statistics and metrics (`GET /v1/products/{id}`).
    public var route: String { "\(method.rawValue) \(path)" }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.route == rhs.route }
    public func hash(into hasher: inout Hasher) { hasher.combine(route) }
}
