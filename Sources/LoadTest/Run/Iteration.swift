/// One journey run by one arrival (or one loop of a virtual user).
struct Iteration {
    var phase: Int
    var journey: Int
    var step = 0
    /// Intended start of the journey (absolute monotonic nanoseconds).
    var intendedStartNanos: Int64
    /// Intended start of the current step: the journey start, then the previous response plus think time.
    var stepIntendedNanos: Int64
    var variables: Variables
    /// The virtual user running it (closed model only).
    var user: Int?
}

/// How one request ended.
enum StepOutcome {
    case success
    case shed
    case failure(ErrorClass, String)
}
