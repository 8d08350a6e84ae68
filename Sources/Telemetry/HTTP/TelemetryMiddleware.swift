import Database
import HTTPTypes
import Hummingbird
import Synchronization

/// Times every request into `surge_http_*` and the SLO windows, labelled by route pattern, method,
/// status class and route class. Add it to the router first so it sees every answer.
///
/// When no `QueryContext` is set yet, it sets one (route pattern, `X-Request-Id` or a generated id)
/// so the request's statements are attributed; a context set further in (with a deadline) wins.
public struct TelemetryMiddleware<Context: RequestContext>: RouterMiddleware {
    let telemetry: Telemetry

    public init(telemetry: Telemetry) {
        self.telemetry = telemetry
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let route = context.endpointPath ?? "unmatched"
        let method = request.method.rawValue
        let ownContext: QueryContext? = QueryContext.current == nil
            ? QueryContext(route: "\(method) \(route)", requestID: RequestID.of(request))
            : nil
        do {
            let response = try await QueryContext.$current.withValue(ownContext ?? QueryContext.current) {
                try await next(request, context)
            }
            // Timed until the handler returns: a streaming body (the dashboard's events) would
            // otherwise count as one very slow request.
            telemetry.requestAnswered(route: route, method: method, status: Int(response.status.code), duration: .now - start,
                                      requestID: ownContext?.requestID)
            return response
        } catch {
            let status = Int((error as? any HTTPResponseError)?.status.code ?? 500)
            telemetry.requestAnswered(route: route, method: method, status: status, duration: .now - start, requestID: ownContext?.requestID)
            throw error
        }
    }
}

/// Request ids for per-request query counts and logs.
public enum RequestID {
    private static let header = HTTPField.Name("X-Request-Id")

    /// The client's `X-Request-Id`, or a new one.
    static func of(_ request: Request) -> String {
        header.flatMap { request.headers[$0] } ?? make()
    }

    /// 16 hex digits: a random per-process prefix and a counter (no system call per request).
    public static func make() -> String {
        QueryFingerprint.hexID(prefix | (counter.wrappingAdd(1, ordering: .relaxed).newValue & 0xFFFF_FFFF))
    }

    private static let prefix = UInt64(UInt32.random(in: .min ... .max)) << 32
    private static let counter = Atomic<UInt64>(0)
}
