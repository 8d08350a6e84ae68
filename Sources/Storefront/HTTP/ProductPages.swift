import Database
import Guard
import Logging
import NIOCore
import Telemetry

/// Serves `GET /v1/products/{id}`, the store's hottest read, on the connection's event loop from the
/// request's bytes, with the router's answer byte for byte.
///
/// Through Hummingbird a product page cost the store ~170 µs of CPU, of which only a fraction was
/// the statement: the HTTP/1 decoder and encoder, `HTTPTypes` conversions, the async channel's
/// streams, the router and five middlewares, and the task and thread hops between them
/// (BENCHMARKS.md, "Store vs pgbench, session 6"). `RawEarlyShedHandler` hands a plain keep-alive
/// `GET` of a product page here instead (it already parses the request line and the few headers
/// that matter, without allocating); the page is loaded in a task that runs on the connection's
/// event loop, and the answer is written there.
///
/// Everything the router does for this route is done here, through the same code (`RequestLifecycle`):
/// - the request's `QueryContext` (route, `X-Request-Id` or a new id, the browse deadline), so the
///   statement is attributed, timed and bounded as before;
/// - admission (guarded profile): a permit of the request's priority (browse, or bot), 503
///   `overloaded` without one, the latency sample (`RequestLifecycle.admitted`); shedding and
///   answers from the cache under overload happen before, in `RawEarlyShedHandler`, as for every route;
/// - the catalog cache (`CatalogService.productJSON`), the ETag, 304 and `Cache-Control` of
///   `ConditionalGetMiddleware` (guarded), the problem+json of `ProblemTranslator` for every failure;
/// - request metrics and per-request statistics (`Telemetry.requestAnswered`, as the router records them).
///
/// Anything unusual (a body, a pipelined read, `Connection: close`, HTTP/1.0, an id that is not
/// plain digits, an earlier request still owed its answer) goes to the router as before.
struct ProductPages: Sendable {
    static let route = "/v1/products/{id}"
    static let queryRoute = "GET \(route)"

    let api: StoreAPI
    /// Context, admission, problem+json and recording: the router's steps, as one value.
    let lifecycle: RequestLifecycle
    /// `ETag`, 304 and `Cache-Control` as `ConditionalGetMiddleware` adds them (guarded profile).
    let httpCaching: Bool
    let serverName: String?
    /// The browse deadline, as `StoreAPI.register` sets it.
    let deadline: Duration

    init(api: StoreAPI, admission: AdmissionController?, httpCaching: Bool, serverName: String?, telemetry: Telemetry?, logger: Logger) {
        self.api = api
        self.lifecycle = RequestLifecycle(admission: admission, telemetry: telemetry, logger: logger)
        self.httpCaching = httpCaching
        self.serverName = serverName
        self.deadline = api.deadline(.browse)
    }

    /// The product id of a target this serves: `/v1/products/` then 1 to 18 digits, not starting with
    /// 0 (so positive and in range: what the router accepts), and an optional query (ignored, as the
    /// router ignores it). `nil` for anything else, which the router answers.
    /// Reads the target's bytes as sent (no `String` per request).
    static func productID<Target: Collection>(_ target: Target) -> Int64? where Target.Element == UInt8 {
        let prefix = "/v1/products/".utf8
        guard target.starts(with: prefix) else { return nil }
        let digits = target.dropFirst(prefix.count).prefix { $0 != UInt8(ascii: "?") }
        guard let first = digits.first, first != UInt8(ascii: "0"), let id = RawRequest.decimal(digits) else { return nil }
        return Int64(id)
    }

    /// The whole answer to a `GET` of product `id`; never throws: a failure is its problem+json.
    /// `heldFill`: a cache-fill slot was taken for it (`EarlyShed`); it is given back when the page is answered.
    func answer(id: Int64, conditions: CachedAnswers.Conditions, priority: Priority, requestID: String?,
                heldFill: Bool = false) async -> CachedAnswers.Answer {
        await lifecycle.answer(route: Self.route, method: "GET", queryRoute: Self.queryRoute, requestID: requestID, deadline: deadline,
                               admit: heldFill ? .heldFill : .permit(priority, fillsCache: api.catalog.isCaching), status: \.status,
                               failure: { lifecycle.problem($0).rawAnswer(serverName: serverName) }) {
            let body = try await api.catalog.productJSON(id: id)
            return StoreAPI.productPageAnswer(body: body, conditions: conditions, httpCaching: httpCaching, serverName: serverName)
        }
    }
}

/// Runs a Swift task's jobs on one NIO event loop: a task that prefers it (`Task(executorPreference:)`)
/// resumes on the loop whose I/O woke it, instead of hopping to Swift's cooperative pool and back.
final class EventLoopTaskExecutor: TaskExecutor, Sendable {
    let loop: any EventLoop

    init(_ loop: any EventLoop) {
        self.loop = loop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
