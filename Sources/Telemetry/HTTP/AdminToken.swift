import Database

/// The admin token: `SURGE_ADMIN_TOKEN` when set, otherwise a new random one that the caller must
/// print once at start (so the operator can open the dashboard).
public struct AdminToken: Sendable, Equatable {
    public let value: String
    /// True when the token was generated (not given in the environment).
    public let generated: Bool

    /// Reads `SURGE_ADMIN_TOKEN` from `environment`; an empty or whitespace value counts as unset.
    public init(environment: [String: String]) {
        if let given = environment["SURGE_ADMIN_TOKEN"]?.trimmingWhitespace, !given.isEmpty {
            value = given
            generated = false
        } else {
            var generator = SystemRandomNumberGenerator()
            value = (0..<4).map { _ in QueryFingerprint.hexID(generator.next()) }.joined()
            generated = true
        }
    }
}

extension String {
    fileprivate var trimmingWhitespace: String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}
