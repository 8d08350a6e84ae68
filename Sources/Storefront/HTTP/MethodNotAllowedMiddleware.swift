import HTTPTypes
import Hummingbird

/// Answers a request for a known path with a method it does not have: 405 `method_not_allowed` with
/// `Allow` (RFC 9110 §15.5.6), where the router alone answers 404 as for an unknown path.
///
/// Added to the router after every route, so it wraps only the router's not-found responder: a
/// request that matched a route never passes through it.
struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
    struct Route: Sendable {
        /// Path components; `nil` is a parameter (`{id}`), which matches any one component.
        var components: [Substring?]
        var methods: [HTTPRequest.Method]
    }

    let routes: [Route]

    /// The routes of `router` (every route must be added before), each GET route also allowing HEAD
    /// (`RouterOptions.autoGenerateHeadEndpoints`).
    init(router: Router<Context>) {
        var methods: [String: [HTTPRequest.Method]] = [:]
        for route in router.routes { methods[route.path.description, default: []].append(route.method) }
        routes = methods.map { path, methods in
            var allowed = methods
            if allowed.contains(.get) && !allowed.contains(.head) { allowed.append(.head) }
            return Route(components: path.split(separator: "/").map { $0.hasPrefix("{") || $0.hasPrefix(":") ? nil : $0 },
                         methods: allowed.sorted { $0.rawValue < $1.rawValue })
        }
    }

    /// The methods `path` has, or none for an unknown path.
    func allowedMethods(_ path: String) -> [HTTPRequest.Method] {
        let components = path.split(separator: "/")
        for route in routes where route.components.count == components.count {
            if zip(route.components, components).allSatisfy({ $0 == nil || $0 == $1 }) { return route.methods }
        }
        return []
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let allowed = allowedMethods(request.uri.path)
        guard !allowed.isEmpty, !allowed.contains(request.method) else { return try await next(request, context) }
        let list = allowed.map(\.rawValue).joined(separator: ", ")
        throw Problem("method_not_allowed", .methodNotAllowed, "\(request.uri.path) allows \(list), not \(request.method.rawValue)",
                         headers: [.allow: list])
    }
}
