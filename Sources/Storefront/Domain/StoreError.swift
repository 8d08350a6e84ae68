/// A failure of the commerce domain that the client can act on. Each case is a stable code
/// (`snake_case`, never changed once shipped) with a detail specific to the request; the HTTP layer
/// maps them to a status and problem+json in one table (`Problem.init(_:)`).
public enum StoreError: Error, Sendable, Equatable {
    /// `validation_failed`: the request asks for something the store cannot take as given.
    case validation(String)
    /// `not_found`: no such product, category, cart, line or order.
    case notFound(String)
    /// `sold_out`: not enough stock.
    case soldOut(String)
    /// `cart_conflict`: the cart changed meanwhile, or is checked out.
    case cartConflict(String)
    /// `cart_empty`: a checkout of a cart with no lines.
    case cartEmpty(String)
    /// `hold_expired`: the stock hold ran out before the payment completed.
    case holdExpired(String)
    /// `idempotency_mismatch`: the key was used with another request body.
    case idempotencyMismatch(String)
    /// `idempotency_in_progress`: the key's first request is still running.
    case idempotencyInProgress(String)
    /// `payment_declined`: the payment provider refused.
    case paymentDeclined(String)
    /// `payment_timeout`: the payment provider did not answer; nothing was charged.
    case paymentTimeout(String)
    /// `overloaded`: the store will not do this work now (a cache-only read whose page left the cache).
    case overloaded(String)

    /// The stable code.
    public var code: String {
        switch self {
        case .validation: "validation_failed"
        case .notFound: "not_found"
        case .soldOut: "sold_out"
        case .cartConflict: "cart_conflict"
        case .cartEmpty: "cart_empty"
        case .holdExpired: "hold_expired"
        case .idempotencyMismatch: "idempotency_mismatch"
        case .idempotencyInProgress: "idempotency_in_progress"
        case .paymentDeclined: "payment_declined"
        case .paymentTimeout: "payment_timeout"
        case .overloaded: "overloaded"
        }
    }

    /// What went wrong and what to do, for this request.
    public var detail: String {
        switch self {
        case .validation(let detail), .notFound(let detail), .soldOut(let detail), .cartConflict(let detail),
            .cartEmpty(let detail), .holdExpired(let detail), .idempotencyMismatch(let detail),
            .idempotencyInProgress(let detail), .paymentDeclined(let detail), .paymentTimeout(let detail),
            .overloaded(let detail):
            detail
        }
    }

    /// Whether the outcome is the request's answer for good (a retry with the same idempotency key
    /// gets it again), rather than a moment's state (a timeout, overload) that a retry may change.
    public var isFinal: Bool {
        switch self {
        case .soldOut, .paymentDeclined, .cartConflict, .cartEmpty, .notFound, .validation, .holdExpired: true
        case .idempotencyMismatch, .idempotencyInProgress, .paymentTimeout, .overloaded: false
        }
    }
}

extension StoreError: CustomStringConvertible {
    public var description: String { "\(code): \(detail)" }
}
