import Advisor
import Database
import Foundation

/// Collects one window of evidence on one connection: facts, counters at the start, activity
/// samples on the schedule, counters at the end, then generic plans of the statements that
/// dominated. A statement that fails (a privilege, a missing view) costs its check, not the
/// examination: it is listed in `skipped` with PostgreSQL's message.
struct Sampler {
    let connection: DatabaseConnection
    let host: String
    let options: DoctorOptions

    func collect() async throws -> Evidence {
        let reader = StatisticsReader(connection: connection)
        var skipped: [SkippedCheck] = []
        func attempt<T>(_ check: String, _ body: () async throws -> T) async -> T? {
            do { return try await body() } catch {
                if !skipped.contains(where: { $0.check == check }) { skipped.append(SkippedCheck(check: check, reason: describeFailure(error))) }
                return nil
            }
        }
        let clock = ContinuousClock()

        let (limits, access) = try await reader.limits(host: host)
        var facts = limits
        _ = await attempt("xid wraparound, settings, replication") { try await reader.details(&facts) }
        if !access.readsAllStats {
            skipped.append(SkippedCheck(
                check: "other roles' sessions and statements",
                reason: "this role is not a member of pg_read_all_stats: their states, waits and queries are hidden. GRANT pg_monitor TO <user>;"))
        }
        let statementsReadable = access.hasStatStatements && access.statStatementsLoaded
        if !statementsReadable {
            skipped.append(SkippedCheck(
                check: "statement deltas (missing index, stale statistics, CPU and temp-spill attribution)",
                reason: AdvisorError.statStatementsMissing(enabledInServer: access.statStatementsLoaded).description))
        }

        // The window starts at the first counters; the facts before it do not eat into it.
        let start = clock.now
        func elapsed() -> Double { (clock.now - start).seconds }

        func counters() async -> CounterSnapshot {
            let at = elapsed()
            let statements = statementsReadable ? await attempt("statement deltas") { try await reader.statements() } : nil
            let database = await attempt("database counters") { try await reader.database() }
            let checkpoints = await attempt("checkpoint storm") { try await reader.checkpoints(major: facts.major) }
            let tables = await attempt("table counters (autovacuum, statistics)") { try await reader.tables() }
            return CounterSnapshot(at: at, statements: statements ?? [], database: database ?? DatabaseCounters(), checkpoints: checkpoints, tables: tables ?? [])
        }

        // The store's /metrics is read beside the database, not before it: an overloaded store can
        // take seconds to answer, and the first verdict must still come within 10 s.
        let source = StoreMetricsSource(options)
        // The first scrape runs while the window does, so it may take as long as the window.
        async let firstScrape = Self.scrape(source, since: start, timeout: max(3, options.window.seconds))
        let first = await counters()
        var activity: [ActivitySample] = []
        var schedule = SamplingSchedule(window: options.window, interval: options.sampleInterval)
        loop: while true {
            switch schedule.next(elapsed: clock.now - start) {
            case .sample:
                // Activity is the one thing every cause needs: a failure here ends the examination.
                activity.append(try await reader.activity(at: elapsed()))
            case .wait(let duration):
                try await Task.sleep(for: duration)
            case .finish:
                break loop
            }
        }
        async let lastScrape = Self.scrape(source, since: start, timeout: 3)
        let last = await counters()
        let (storeFirst, storeLast) = await (firstScrape, lastScrape)
        for failure in Set([storeFirst, storeLast].compactMap { $0?.failure }) {
            skipped.append(SkippedCheck(check: "store metrics", reason: failure))
        }
        var evidence = Evidence(
            windowSeconds: options.window.seconds, facts: facts, first: first, last: last, activity: activity,
            storeFirst: storeFirst?.metrics, storeLast: storeLast?.metrics, skipped: skipped
        )
        // Counted between the two pg_stat_database reads: the first read itself, checkpoints (and WAL
        // on 14+), tables, the samples, and pg_stat_statements at the end.
        evidence.ownStatements = Double(activity.count + 3 + (facts.major >= 14 ? 1 : 0) + (statementsReadable ? 1 : 0))
        await plan(&evidence)
        return evidence
    }

    /// One scrape of the store's metrics, stamped with when it was answered; nil without a URL.
    private static func scrape(_ source: StoreMetricsSource?, since start: ContinuousClock.Instant, timeout: Double) async -> (metrics: StoreMetrics?, failure: String?)? {
        let url: URL
        switch source {
        case nil:
            return nil
        case .inProcess(let text):
            var metrics = StoreMetrics(text: text())
            metrics.at = (ContinuousClock.now - start).seconds
            return (metrics, nil)
        case .http(let address):
            url = address
        }
        do {
            var metrics = try await StoreMetricsScraper.scrape(url, timeout: timeout)
            metrics.at = (ContinuousClock.now - start).seconds
            return (metrics, nil)
        } catch {
            return (nil, "\(url): \(StoreMetricsScraper.describe(error, timeout: timeout))")
        }
    }

    /// Generic plans (never ANALYZE) of the hot statements, in a read-only transaction, with the schema for index suggestions.
    private func plan(_ evidence: inout Evidence) async {
        let hot = HotStatements.select(evidence, options.thresholds, limit: options.maxPlans).map(\.delta).filter { Self.isPlannable($0.query) }
        guard !hot.isEmpty else { return }
        do {
            let (plans, catalog) = try await PlanningSession.with(connection, safety: AdvisorSafety(statementTimeout: options.planTimeout)) { session in
                var plans: [String: Plan] = [:]
                for statement in hot {
                    if let plan = try? await session.explain(statement.query) { plans[statement.queryID] = plan }
                }
                return (plans, try await session.catalog())
            }
            evidence.plans = plans
            evidence.catalog = catalog
        } catch {
            evidence.skipped.append(SkippedCheck(check: "plans (missing index, stale statistics)", reason: describeFailure(error)))
        }
    }

    /// DML and queries; not utility statements, and not the server's own catalogs.
    static func isPlannable(_ sql: String) -> Bool {
        let first = sql.drop { $0.isWhitespace || $0 == "(" }.prefix { $0.isLetter }.lowercased()
        return ["select", "with", "insert", "update", "delete"].contains(first)
    }
}

extension Duration {
    /// The duration in seconds as a Double.
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
