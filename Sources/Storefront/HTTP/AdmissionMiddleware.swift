import Database
import Guard
import HTTPTypes
import Hummingbird

/// Sheds load before any work is done: each request takes a permit from the adaptive limiter for its
/// priority (its endpoint's `RouteClass`; browsing by bots or clients without a `User-Agent` ranks
/// last), and a request that gets none is answered at once with 503 `overloaded` and `Retry-After`.
/// Health and metrics endpoints (`system`) are never shed. A browse request the limiter would shed
/// but the catalog cache can answer is served from the cache alone (`CatalogRead.cacheOnly`).
struct AdmissionMiddleware<Context: CatalogReadingContext>: RouterMiddleware {
    let controller: AdmissionController
    /// Route class by endpoint path and method; an unknown route ranks as browse, so nothing bypasses admission.
    let classes: [String: RouteClass]
    /// What the catalog cache can answer with no query (browse `GET`s it would otherwise shed).
    let cache: CachedAnswers

    init(controller: AdmissionController, endpoints: [StoreEndpoint], cache: CachedAnswers = .none) {
        self.controller = controller
        self.cache = cache
        self.classes = Dictionary(endpoints.map { ("\($0.method.rawValue) \($0.path)", $0.routeClass) }, uniquingKeysWith: { $1 })
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let routeClass = classes["\(request.method.rawValue) \(context.endpointPath ?? "")"] ?? .browse
        guard let priority = Self.priority(routeClass, userAgent: request.headers[.userAgent]) else {
            return try await next(request, context)
        }
        // A page the cache holds costs no database work: under overload it is served (from the
        // cache only, stale if need be) rather than shed. Below the limit nothing changes.
        if routeClass == .browse, request.method == .get, let route = context.endpointPath,
           controller.wouldShed(priority), controller.mayAnswerFromCache(priority), cache.canAnswer(route, request.uri.string[...]) {
            controller.recordCacheAnswer(priority)
            var cacheOnly = context
            cacheOnly.catalogRead = .cacheOnly
            return try await next(request, cacheOnly)
        }
        let fillsCache = routeClass == .browse && request.method == .get && context.endpointPath.map { cache.cacheable($0, request.uri.string[...]) } == true
        return try await RequestLifecycle.admitted(controller, priority, fillsCache: fillsCache) { try await next(request, context) }
    }

    /// Failures that mean "the database is not there", which teach the limiter nothing about capacity:
    /// a fast 503 while it is down would otherwise read as the store's normal latency.
    static func isOutage(_ error: any Error) -> Bool {
        error is DatabaseUnavailable || CircuitBreaker.isConnectionFailure(error)
    }

    static func priority(_ routeClass: RouteClass, userAgent: String?) -> Priority? {
        switch routeClass {
        case .checkout: .checkout
        case .cart: .cart
        case .browse: Priority.isBot(userAgent: userAgent) ? .bot : .browse
        case .system: nil
        }
    }

    /// Failures that mean "too slow or too busy", which should lower the limit.
    static func isCapacityFailure(_ error: any Error) -> Bool {
        if let state = serverSQLState(error) { return state == "57014" || state == "53300" }
        return switch error {
        case is DeadlineExceeded, is Overloaded, is PoolOverloaded: true
        case let error as Problem: error.code == "deadline_exceeded" || error.code == "overloaded"
        case let error as StoreError: error.code == "overloaded"
        default: false
        }
    }
}
