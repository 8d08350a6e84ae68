import Database
import Guard
import Logging
import Telemetry

/// One request's way through the store: context → admit → answer → record. Both lanes run it: the
/// router through `RequestLifecycleMiddleware` (its one middleware for all four steps), the event
/// loop's product pages through `ProductPages`. A new concern that belongs to every request goes
/// here, and neither lane can skip it; `ProductPagesTests` compares the two lanes' answers byte for byte.
///
/// Shedding is decided in one place, `AdmissionController.browseVerdict` (shed, answer from the
/// cache, or go on to `acquire`), which the event loop's `EarlyShed` asks before a request is parsed
/// and the router's middleware asks for what reaches it.
struct RequestLifecycle: Sendable {
    let admission: AdmissionController?
    let telemetry: Telemetry?
    let logger: Logger

    /// How a request is admitted.
    enum Admit: Sendable, Equatable {
        /// Not at all: system routes (health, metrics, admin), and without admission control.
        case none
        /// A permit of `priority`; `fillsCache`: refused, it may still run as a cache fill (`admitted`).
        case permit(Priority, fillsCache: Bool)
        /// A cache fill whose slot the early shed already took: no permit; the slot is given back at the end.
        case heldFill
    }

    /// Answers one request: its `QueryContext` (`queryRoute`, the client's request id or a new one,
    /// the deadline), admission, the answer of `work` or the problem+json of its error (`failure`
    /// renders it), and the request recorded under `route`.
    func answer<Answer>(route: String, method: String, queryRoute: String, requestID: String?, deadline: Duration?,
                        admit: Admit, status: (Answer) -> Int, failure: (any Error) -> Answer,
                        _ work: () async throws -> Answer) async -> Answer {
        let start = ContinuousClock.now
        let requestID = requestID ?? RequestID.make()
        // The deadline counts from admission: a wait in admission's queue is bounded by the queue
        // timeout of the request's priority, and the work after it has the whole deadline.
        func withDeadline() async throws -> Answer {
            let context = QueryContext(route: queryRoute, requestID: requestID, deadline: deadline.map { .now + $0 })
            return try await QueryContext.$current.withValue(context) { try await work() }
        }
        let answer: Answer
        do {
            answer = try await QueryContext.$current.withValue(QueryContext(route: queryRoute, requestID: requestID)) {
                switch (admission, admit) {
                case (let admission?, .permit(let priority, let fillsCache)):
                    return try await Self.admitted(admission, priority, fillsCache: fillsCache, withDeadline)
                case (let admission?, .heldFill):
                    defer { admission.releaseCacheFill() }
                    return try await withDeadline()
                default:
                    return try await withDeadline()
                }
            }
        } catch {
            answer = failure(error)
        }
        telemetry?.requestAnswered(route: route, method: method, status: status(answer), duration: .now - start, requestID: requestID)
        return answer
    }

    /// The problem+json answer to any error (`ProblemTranslator.translate`).
    func problem(_ error: any Error) -> Problem {
        ProblemTranslator.translate(error, logger: logger)
    }

    /// Runs `work` holding a permit of `priority` (503 `overloaded` when none is given), and gives the
    /// limiter its latency sample: a capacity failure lowers the limit.
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
            throw Problem.overloaded(retryAfterSeconds: error.retryAfterSeconds)
        }
        let scope = AdmissionScope(controller: controller, permit: permit)
        do {
            let result = try await AdmissionScope.$current.withValue(scope) { try await work() }
            controller.release(permit, excluding: scope.suspended)
            return result
        } catch {
            if isOutage(error) {
                controller.releaseDuringOutage(permit)
            } else {
                controller.release(permit, dropped: isCapacityFailure(error), excluding: scope.suspended)
            }
            throw error
        }
    }

    /// The admission of a request of `routeClass` from a client with `userAgent`: browsing by bots or
    /// clients without a `User-Agent` ranks last; system routes are never admitted (never shed).
    static func priority(_ routeClass: RouteClass, userAgent: String?) -> Priority? {
        switch routeClass {
        case .checkout: .checkout
        case .cart: .cart
        case .browse: Priority.isBot(userAgent: userAgent) ? .bot : .browse
        case .system: nil
        }
    }

    /// Failures that mean "the database is not there", which teach the limiter nothing about capacity:
    /// a fast 503 while it is down would otherwise read as the store's normal latency.
    static func isOutage(_ error: any Error) -> Bool {
        error is DatabaseUnavailable || CircuitBreaker.isConnectionFailure(error)
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
