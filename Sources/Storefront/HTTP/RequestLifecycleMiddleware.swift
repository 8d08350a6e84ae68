import Guard
import HTTPTypes
import Hummingbird
import Logging

/// The router's side of `RequestLifecycle`, first in its chain: every request the router answers
/// (the store's endpoints, the telemetry routes, unknown paths) gets its context, admission, its
/// answer or problem+json, and its record here, through the same code the event loop's product pages
/// use. What a request is, it reads from one table built from `StoreAPI`'s endpoint list: its class
/// (priority and deadline) and its route label. The telemetry routes (metrics, admin, the dashboard)
/// are system routes: never shed, no deadline. Anything else (an unknown path, a route added to the
/// router by hand) ranks as browsing, so nothing bypasses admission.
struct RequestLifecycleMiddleware: RouterMiddleware {
    typealias Context = StoreRequestContext

    struct Entry: Sendable {
        var routeClass: RouteClass
        var deadline: Duration
        /// `GET /v1/products/{id}`: the label statements and logs carry.
        var queryRoute: String
    }

    let lifecycle: RequestLifecycle
    /// By `"METHOD path"` (OpenAPI form, as the router reports the matched path).
    let entries: [String: Entry]
    /// What the catalog cache can answer or keep, for the browse verdict under overload.
    let cache: CachedAnswers
    /// Paths of routes that are never admitted (telemetry's), as the router reports them.
    let systemPaths: Set<String>

    static let requestIDField = HTTPField.Name("X-Request-Id")!

    init(lifecycle: RequestLifecycle, api: StoreAPI, cache: CachedAnswers, systemPaths: Set<String>) {
        self.lifecycle = lifecycle
        self.cache = cache
        self.systemPaths = systemPaths
        var entries: [String: Entry] = [:]
        for endpoint in api.endpointList {
            entries[endpoint.route] = Entry(routeClass: endpoint.routeClass, deadline: api.deadline(endpoint.routeClass), queryRoute: endpoint.route)
        }
        self.entries = entries
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = context.endpointPath
        // A HEAD the router generated from a GET route is that route.
        let method = request.method == .head ? HTTPRequest.Method.get : request.method
        let entry = path.flatMap { entries["\(method.rawValue) \($0)"] }
        let routeClass = entry?.routeClass ?? (path.map(systemPaths.contains) == true ? .system : .browse)
        var context = context
        var admit = RequestLifecycle.Admit.none
        var shed = false
        if let controller = lifecycle.admission, let priority = RequestLifecycle.priority(routeClass, userAgent: request.headers[.userAgent]) {
            admit = .permit(priority, fillsCache: false)
            if routeClass == .browse, method == .get, let path {
                let target = request.uri.string[...]
                switch controller.browseVerdict(priority, fromBytes: false, cacheHolds: { cache.canAnswer(path, target) },
                                                cacheKeeps: { cache.cacheable(path, target) }) {
                case .admit:
                    admit = .permit(priority, fillsCache: cache.cacheable(path, target))
                case .fromCache:
                    // A page the cache holds costs no database work: served (from the cache only,
                    // stale if need be) rather than shed.
                    controller.recordCacheAnswer(priority)
                    context.catalogRead = .cacheOnly
                    admit = .none
                case .shed:
                    shed = true
                case .fill:
                    // Not asked for here (no `reserveFill`); were it, the slot goes back and `acquire` decides.
                    controller.releaseCacheFill()
                    admit = .permit(priority, fillsCache: true)
                }
            }
        }
        let answered = context
        return await lifecycle.answer(
            route: path ?? "unmatched", method: request.method.rawValue,
            queryRoute: entry?.queryRoute ?? "\(request.method.rawValue) \(path ?? "unmatched")",
            requestID: request.headers[Self.requestIDField], deadline: entry?.deadline, admit: admit,
            status: { Int($0.status.code) },
            failure: { error in Self.response(to: error, request: request, context: answered, lifecycle: lifecycle) }
        ) {
            if shed { throw Problem.overloaded() }
            return try await next(request, answered)
        }
    }

    /// The answer to an error: an error that is already a complete answer (a `Problem`, telemetry's own
    /// problem+json errors) as it is; anything else as `ProblemTranslator.translate` says.
    static func response(to error: any Error, request: Request, context: Context, lifecycle: RequestLifecycle) -> Response {
        if let error = error as? any HTTPResponseError, !(error is HTTPError), !(error is Problem),
           let response = try? error.response(from: request, context: context) {
            return response
        }
        let problem = ProblemTranslator.translate(error, logger: context.logger)
        return (try? problem.response(from: request, context: context)) ?? Response(status: problem.status)
    }
}
