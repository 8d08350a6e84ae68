import Database
import Guard
import Logging
import Telemetry

/// One request's way through the store: context → admit → answer → record. The event-loop lane
/// (`ProductPages`) runs it as one value; the router runs the same steps as middlewares
/// (`TelemetryMiddleware`: context and record through `Telemetry.requestAnswered`;
/// `AdmissionMiddleware`: `admitted`; `ProblemMiddleware`: `translate`), so both lanes share each
/// step's code, and `ProductPagesTests` compares their answers byte for byte.
struct RequestLifecycle: Sendable {
    let admission: AdmissionController?
    let telemetry: Telemetry?
    let logger: Logger

    /// Answers one request: its `QueryContext` (`queryRoute`, the client's request id or a new one,
    /// the deadline), a permit of `priority` when admission is on, the answer of `work` or the
    /// problem+json of its error (`failure` renders it), and the request recorded under `route`.
    func answer<Answer>(route: String, method: String, queryRoute: String, requestID: String?, deadline: Duration,
                        priority: Priority, fillsCache: Bool = false, status: (Answer) -> Int, failure: (Problem) -> Answer,
                        _ work: () async throws -> Answer) async -> Answer {
        let start = ContinuousClock.now
        let requestID = requestID ?? RequestID.make()
        let context = QueryContext(route: queryRoute, requestID: requestID, deadline: start + deadline)
        let answer: Answer
        do {
            answer = try await QueryContext.$current.withValue(context) {
                guard let admission else { return try await work() }
                return try await Self.admitted(admission, priority, fillsCache: fillsCache, work)
            }
        } catch {
            answer = failure(ProblemMiddleware<StoreRequestContext>.translate(error, logger: logger))
        }
        telemetry?.requestAnswered(route: route, method: method, status: status(answer), duration: .now - start, requestID: requestID)
        return answer
    }

    /// Runs `work` holding a permit of `priority` (503 `overloaded` when none is given), and gives the
    /// limiter its latency sample: a capacity failure lowers the limit. `AdmissionMiddleware` admits
    /// the router's requests through it.
    ///
    /// `fillsCache`: the answer is one the catalog cache keeps once read (and, having got here under
    /// overload, does not hold). Refused by the limiter, such a read still runs if a cache-fill slot is
    /// free (`AdmissionController.acquireCacheFill`): beside the limit, without a latency sample. So a
    /// cache that is cold when a surge starts fills during it, a few pages at a time, instead of every
    /// miss being shed and every page staying a miss.
    static func admitted<Result>(_ controller: AdmissionController, _ priority: Priority, fillsCache: Bool = false,
                                 _ work: () async throws -> Result) async throws -> Result {
        let permit: AdmissionController.Permit
        do {
            permit = try await controller.acquire(priority)
        } catch let error as Overloaded {
            if fillsCache, controller.acquireCacheFill(priority) {
                defer { controller.releaseCacheFill() }
                return try await work()
            }
            throw Problem.unavailable("overloaded", "the store is at capacity: retry shortly", retryAfterSeconds: error.retryAfterSeconds)
        }
        let scope = AdmissionScope(controller: controller, permit: permit)
        do {
            let result = try await AdmissionScope.$current.withValue(scope) { try await work() }
            controller.release(permit, excluding: scope.suspended)
            return result
        } catch {
            if AdmissionMiddleware<StoreRequestContext>.isOutage(error) {
                controller.releaseDuringOutage(permit)
            } else {
                controller.release(permit, dropped: AdmissionMiddleware<StoreRequestContext>.isCapacityFailure(error), excluding: scope.suspended)
            }
            throw error
        }
    }
}
