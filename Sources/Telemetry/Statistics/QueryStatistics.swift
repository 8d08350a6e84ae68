import Database
import Synchronization

/// Per-fingerprint and per-route statement statistics, like pg_stat_statements but attributed to
/// the HTTP route and request that ran each statement.
///
/// `record` is on every statement's hot path: one lock, a few dictionary lookups, one histogram
/// record. Fingerprinting (a lexer pass) runs outside the lock, once per distinct SQL text.
public final class QueryStatistics: QueryObserver {
    /// A fingerprint that runs more than this many times in one request flags its route as N+1.
    public let nPlusOneThreshold: Int
    private let state: Mutex<State>

    /// - Parameters:
    ///   - nPlusOneThreshold: calls of one fingerprint in one request above which the route is flagged.
    ///   - maxFingerprints: distinct fingerprints kept; later ones are counted under `other`.
    ///   - maxTrackedRequests: requests whose per-fingerprint counts are kept at once (oldest evicted).
    public init(nPlusOneThreshold: Int = 5, maxFingerprints: Int = 1000, maxTrackedRequests: Int = 4096) {
        self.nPlusOneThreshold = nPlusOneThreshold
        self.state = Mutex(State(maxFingerprints: maxFingerprints, maxTrackedRequests: maxTrackedRequests))
    }

    public func record(_ event: QueryEvent) {
        _ = recordReturningFingerprint(event)
    }

    /// Records `event` and returns its fingerprint (so other observers need not compute it again).
    func recordReturningFingerprint(_ event: QueryEvent) -> FingerprintedSQL {
        let threshold = nPlusOneThreshold
        if let known = state.withLock({ $0.record(event, fingerprint: nil, nPlusOneThreshold: threshold) }) {
            return known
        }
        let computed = FingerprintedSQL(sql: event.sql)
        _ = state.withLock { $0.record(event, fingerprint: computed, nPlusOneThreshold: threshold) }
        return computed
    }

    /// Forgets the per-request counts of a finished request (optional: the table is bounded anyway).
    public func requestFinished(_ requestID: String) {
        state.withLock { _ = $0.requests.removeValue(forKey: requestID) }
    }

    /// Clears all statistics (the fingerprint cache survives: it holds no statistics).
    public func reset() {
        state.withLock { $0.reset() }
    }

    /// The statistics now, queries sorted by total time (largest first), routes by name.
    public func report() -> QueryReport {
        let (fingerprints, routes) = state.withLock { ($0.fingerprints, $0.routes) }
        let queries = fingerprints.values
            .sorted { $0.totalNanoseconds != $1.totalNanoseconds ? $0.totalNanoseconds > $1.totalNanoseconds : $0.id < $1.id }
            .map { $0.report }
        let routeReports = routes.sorted { $0.key < $1.key }.map { name, stats in
            stats.report(route: name, fingerprints: fingerprints)
        }
        return QueryReport(queries: queries, routes: routeReports)
    }
}

/// A statement's fingerprint with a redacted example of its text.
struct FingerprintedSQL: Sendable {
    let fingerprint: QueryFingerprint
    let example: String

    init(sql: String) {
        fingerprint = QueryFingerprint(sql: sql)
        example = QueryFingerprint.redact(sql)
    }
}

extension QueryStatistics {
    struct State: ~Copyable {
        let maxFingerprints: Int
        let maxTrackedRequests: Int
        var cache: [String: FingerprintedSQL] = [:]
        var fingerprints: [UInt64: FingerprintStats] = [:]
        var routes: [String: RouteStats] = [:]
        var requests: [String: RequestTrack] = [:]
        var evictionRing: [String?]
        var evictionPosition = 0

        static let cacheLimit = 10_000
        static let otherID: UInt64 = 0
        static let unattributedRoute = "(none)"

        init(maxFingerprints: Int, maxTrackedRequests: Int) {
            self.maxFingerprints = maxFingerprints
            self.maxTrackedRequests = max(1, maxTrackedRequests)
            self.evictionRing = Array(repeating: nil, count: max(1, maxTrackedRequests))
        }

        /// Returns nil (and records nothing) when the SQL text is not in the cache and no
        /// fingerprint was given: the caller computes it outside the lock and calls again.
        mutating func record(_ event: QueryEvent, fingerprint: FingerprintedSQL?, nPlusOneThreshold: Int) -> FingerprintedSQL? {
            let resolved: FingerprintedSQL
            if let cached = cache[event.sql] {
                resolved = cached
            } else if let fingerprint {
                if cache.count >= Self.cacheLimit { cache.removeAll(keepingCapacity: true) }
                cache[event.sql] = fingerprint
                resolved = fingerprint
            } else {
                return nil
            }

            let route = event.context?.route ?? Self.unattributedRoute
            var id = resolved.fingerprint.id
            if fingerprints[id] == nil, fingerprints.count >= maxFingerprints {
                id = Self.otherID
            }
            fingerprints[id, default: FingerprintStats(id: id, sql: id == Self.otherID ? nil : resolved)]
                .record(event, route: route)

            var routeStats = routes[route] ?? RouteStats()
            routeStats.statements += 1
            if let requestID = event.context?.requestID {
                let calls = track(requestID: requestID, fingerprint: id, routeStats: &routeStats)
                if calls > nPlusOneThreshold {
                    routeStats.flag(fingerprint: id, calls: calls, newlyFlagged: calls == nPlusOneThreshold + 1)
                }
            }
            routes[route] = routeStats
            return resolved
        }

        /// Counts one statement for the request; returns how often `fingerprint` ran in it so far.
        private mutating func track(requestID: String, fingerprint: UInt64, routeStats: inout RouteStats) -> Int {
            if requests[requestID] == nil {
                if let evicted = evictionRing[evictionPosition] { requests.removeValue(forKey: evicted) }
                evictionRing[evictionPosition] = requestID
                evictionPosition = (evictionPosition + 1) % evictionRing.count
                requests[requestID] = RequestTrack()
                routeStats.requests += 1
            }
            var calls = 0
            var statements = 0
            // Mutate in place: copying the dictionary out would make this O(n) per statement.
            if let index = requests.index(forKey: requestID) {
                requests.values[index].statements += 1
                requests.values[index].calls[fingerprint, default: 0] += 1
                calls = requests.values[index].calls[fingerprint] ?? 0
                statements = requests.values[index].statements
            }
            routeStats.maxStatementsPerRequest = max(routeStats.maxStatementsPerRequest, statements)
            return calls
        }

        mutating func reset() {
            fingerprints.removeAll()
            routes.removeAll()
            requests.removeAll()
            evictionRing = Array(repeating: nil, count: evictionRing.count)
            evictionPosition = 0
        }
    }

    struct RequestTrack {
        var statements = 0
        var calls: [UInt64: Int] = [:]
    }

    struct FingerprintStats: Sendable {
        static let maxRoutes = 20
        let id: UInt64
        let normalized: String
        let example: String
        var calls = 0
        var errors = 0
        var rows = 0
        var totalNanoseconds: Int64 = 0
        var maxNanoseconds: Int64 = 0
        var histogram = LatencyHistogram()
        var routes: Set<String> = []

        init(id: UInt64, sql: FingerprintedSQL?) {
            self.id = id
            self.normalized = sql?.fingerprint.normalized ?? "(other statements)"
            self.example = sql?.example ?? "(other statements)"
        }

        mutating func record(_ event: QueryEvent, route: String) {
            let nanoseconds = event.duration.nanoseconds
            calls += 1
            if event.error != nil { errors += 1 }
            rows += event.rows
            totalNanoseconds += nanoseconds
            maxNanoseconds = max(maxNanoseconds, nanoseconds)
            histogram.record(event.duration)
            if routes.count < Self.maxRoutes { routes.insert(route) }
        }

        var report: QueryReport.Query {
            QueryReport.Query(
                fingerprintID: QueryFingerprint.hexID(id),
                query: normalized,
                example: example,
                calls: calls,
                errors: errors,
                totalTimeMilliseconds: Double(totalNanoseconds) / 1e6,
                meanTimeMilliseconds: calls == 0 ? 0 : Double(totalNanoseconds) / 1e6 / Double(calls),
                maxTimeMilliseconds: Double(maxNanoseconds) / 1e6,
                p50Milliseconds: histogram.milliseconds(atPercentile: 50),
                p95Milliseconds: histogram.milliseconds(atPercentile: 95),
                p99Milliseconds: histogram.milliseconds(atPercentile: 99),
                rows: rows,
                routes: routes.sorted()
            )
        }
    }

    struct RouteStats: Sendable {
        var requests = 0
        var statements = 0
        var maxStatementsPerRequest = 0
        var nPlusOne: [UInt64: NPlusOne] = [:]

        struct NPlusOne: Sendable {
            var requests = 0
            var maxCallsPerRequest = 0
        }

        mutating func flag(fingerprint: UInt64, calls: Int, newlyFlagged: Bool) {
            var entry = nPlusOne[fingerprint] ?? NPlusOne()
            if newlyFlagged { entry.requests += 1 }
            entry.maxCallsPerRequest = max(entry.maxCallsPerRequest, calls)
            nPlusOne[fingerprint] = entry
        }

        func report(route: String, fingerprints: [UInt64: FingerprintStats]) -> QueryReport.Route {
            QueryReport.Route(
                route: route,
                requests: requests,
                statements: statements,
                statementsPerRequest: requests == 0 ? 0 : Double(statements) / Double(requests),
                maxStatementsPerRequest: maxStatementsPerRequest,
                nPlusOne: nPlusOne.sorted { $0.key < $1.key }.map { id, entry in
                    QueryReport.NPlusOne(
                        fingerprintID: QueryFingerprint.hexID(id),
                        query: fingerprints[id]?.normalized ?? "",
                        requests: entry.requests,
                        maxCallsPerRequest: entry.maxCallsPerRequest
                    )
                }
            )
        }
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
