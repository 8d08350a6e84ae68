import Synchronization

/// The admitted request the current task serves: lets its code give the request's slot back while it
/// waits on a service that uses none of this store's capacity.
///
/// A checkout waits ~100 ms on the payment provider with no row lock and no connection held; holding
/// its admission slot meanwhile too would, at the limit's overload floor of 4 to 6, leave carts and
/// browsing a fraction of the limit (BENCHMARKS.md, overload session 5).
public final class AdmissionScope: Sendable {
    @TaskLocal public static var current: AdmissionScope?

    let controller: AdmissionController
    let permit: AdmissionController.Permit
    private let suspendedNanoseconds = Atomic<Int64>(0)

    public init(controller: AdmissionController, permit: AdmissionController.Permit) {
        self.controller = controller
        self.permit = permit
    }

    /// Time spent suspended so far (left out of the request's latency sample).
    public var suspended: Duration { .nanoseconds(suspendedNanoseconds.load(ordering: .relaxed)) }

    /// Runs `body` with the current request's slot given back, then takes it again without waiting
    /// (above the limit if need be: what follows must not be refused). Outside an admitted request it
    /// just runs `body`.
    public static func outside<Result: Sendable>(_ body: () async throws -> Result) async throws -> Result {
        guard let scope = current else { return try await body() }
        scope.controller.suspend(scope.permit)
        let start = ContinuousClock.now
        defer {
            scope.controller.resume(scope.permit)
            let elapsed = ContinuousClock.now - start
            scope.suspendedNanoseconds.add(elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000,
                                           ordering: .relaxed)
        }
        return try await body()
    }
}
