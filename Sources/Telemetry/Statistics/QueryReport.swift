/// The body of `GET /admin/queries`: statements by total time, and what each route runs.
public struct QueryReport: Codable, Sendable {
    public var queries: [Query]
    public var routes: [Route]

    /// One fingerprint's statistics.
    public struct Query: Codable, Sendable {
        public var fingerprintID: String
        /// The normalized text (literals and parameters as `?`).
        public var query: String
        /// One statement as sent, literals replaced by `?` (bind values are never in the text).
        public var example: String
        public var calls: Int
        public var errors: Int
        public var totalTimeMilliseconds: Double
        public var meanTimeMilliseconds: Double
        public var maxTimeMilliseconds: Double
        public var p50Milliseconds: Double
        public var p95Milliseconds: Double
        public var p99Milliseconds: Double
        public var rows: Int
        /// The routes that issued it (at most 20).
        public var routes: [String]

        enum CodingKeys: String, CodingKey {
            case fingerprintID = "fingerprint_id", query, example, calls, errors
            case totalTimeMilliseconds = "total_time_ms", meanTimeMilliseconds = "mean_time_ms"
            case maxTimeMilliseconds = "max_time_ms", p50Milliseconds = "p50_ms", p95Milliseconds = "p95_ms"
            case p99Milliseconds = "p99_ms", rows, routes
        }
    }

    /// One route's statement profile.
    public struct Route: Codable, Sendable {
        public var route: String
        /// Distinct requests that ran at least one statement.
        public var requests: Int
        public var statements: Int
        public var statementsPerRequest: Double
        public var maxStatementsPerRequest: Int
        /// Fingerprints that ran more than the N+1 threshold in one request.
        public var nPlusOne: [NPlusOne]

        enum CodingKeys: String, CodingKey {
            case route, requests, statements, statementsPerRequest = "statements_per_request"
            case maxStatementsPerRequest = "max_statements_per_request", nPlusOne = "n_plus_one"
        }
    }

    /// A fingerprint flagged as N+1 on a route.
    public struct NPlusOne: Codable, Sendable {
        public var fingerprintID: String
        public var query: String
        /// Requests in which it ran more than the threshold.
        public var requests: Int
        public var maxCallsPerRequest: Int

        enum CodingKeys: String, CodingKey {
            case fingerprintID = "fingerprint_id", query, requests, maxCallsPerRequest = "max_calls_per_request"
        }
    }
}
