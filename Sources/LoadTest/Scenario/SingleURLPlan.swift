/// A mistake in single-URL flags.
public struct PlanError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

/// Builds the one-step plan of `surge load URL` (no scenario file).
///
/// - Parameters:
///   - ratePerSecond: nil runs closed-loop at `connections` concurrent users (like wrk); a rate runs open-model.
public func singleURLPlan(url: String, ratePerSecond: Double?, durationNanos: Int64, connections: Int,
                          maxInFlight: Int = 10_000, poissonSeed: UInt64? = nil, method: String = "GET",
                          headers: [(String, String)] = [], body: String? = nil, thresholds: [Threshold] = []) throws -> LoadPlan {
    guard let (endpoint, path) = Endpoint.parse(url: url) else {
        throw PlanError(description: "\"\(url)\" is not an http:// or https://host:port/path URL")
    }
    let step = StepPlan(
        name: "request", method: method.uppercased(), endpoint: endpoint, target: try Template(parsing: path),
        headers: try headers.map { (name: $0.0, value: try Template(parsing: $0.1)) },
        body: try body.map { .text(try Template(parsing: $0), contentType: $0.first == "{" || $0.first == "[" ? "application/json" : "text/plain") })
    let executor: PhasePlan.Executor
    if let ratePerSecond {
        executor = .arrivals(kind: "constant-arrival-rate",
                             profile: .constant(ratePerSecond: ratePerSecond, durationNanos: durationNanos), poissonSeed: poissonSeed)
    } else {
        executor = .concurrency(users: connections, durationNanos: durationNanos)
    }
    let phase = PhasePlan(name: "main", executor: executor, maxInFlight: maxInFlight,
                          journeys: [JourneyPlan(name: "request", steps: [step])])
    var plan = LoadPlan(phases: [phase], thresholds: thresholds)
    plan.connections = connections
    return plan
}
