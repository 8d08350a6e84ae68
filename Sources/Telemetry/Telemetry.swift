import Database
import Logging
import Prometheus
import ServiceLifecycle
import Synchronization

/// Everything the store needs to see its database: per-query statistics, Prometheus metrics, the
/// slow-query log, PostgreSQL sampling, in-process SLO alerts, and the admin routes and dashboard.
///
/// Wiring, at the edge:
/// ```swift
/// let telemetry = Telemetry(configuration: .init(adminToken: token), logger: logger)
/// let database = Database(client: client, observers: [telemetry.queryObserver], logger: logger)
/// router.add(middleware: TelemetryMiddleware(telemetry: telemetry))   // first: times everything
/// router.addRoutes(telemetry.routes(context: MyContext.self))          // /metrics, /admin/queries, /dashboard
/// services += telemetry.services(database: database)                   // sampler + alerts
/// // the pool wrapper reports to `telemetry.pool` (a `PoolObserver`)
/// ```
public final class Telemetry: Sendable {
    public let configuration: TelemetryConfiguration
    /// The Prometheus registry behind `GET /metrics`.
    public let registry: PrometheusCollectorRegistry
    public let statistics: QueryStatistics
    public let requests: RequestMetrics
    /// The pool observer the store reports pool usage and acquire waits to.
    public let pool: PoolMetrics
    public let alerts: AlertService
    /// The doctor's latest verdict on this store's database, posted by a `DoctorMonitor` when one runs.
    public let doctor = DoctorBoard()
    /// The database backends (primary, replicas) for the dashboard, when the store reads from replicas.
    public let backends = BackendBoard()
    let queries: QueryMetrics
    let slowLog: SlowQueryLog
    let clock: TelemetryClock
    let logger: Logger
    let openStreams = StreamCounter()
    private let sampler: SamplerSlot

    public init(configuration: TelemetryConfiguration, registry: PrometheusCollectorRegistry = .init(), logger: Logger) {
        let clock = TelemetryClock()
        let sampler = SamplerSlot()
        let requests = RequestMetrics(
            registry: registry, objectives: configuration.objectives, classify: configuration.classifyRoute, clock: clock)
        let queries = QueryMetrics(
            registry: registry, maxFingerprintSeries: configuration.maxFingerprintSeries,
            slowThreshold: configuration.slowQueryThreshold, clock: clock)
        let pool = PoolMetrics(registry: registry)
        self.configuration = configuration
        self.registry = registry
        self.clock = clock
        self.logger = logger
        self.sampler = sampler
        self.requests = requests
        self.queries = queries
        self.pool = pool
        self.statistics = QueryStatistics(nPlusOneThreshold: configuration.nPlusOneThreshold)
        self.slowLog = SlowQueryLog(threshold: configuration.slowQueryThreshold, logger: configuration.slowQueryLogger)
        self.alerts = AlertService(
            rules: AlertRule.defaults(objectives: configuration.objectives),
            interval: configuration.alertInterval,
            webhook: configuration.alertWebhook.map(AlertWebhook.init(url:)),
            clock: clock,
            logger: logger,
            inputs: AlertInputSource(clock: clock, requests: requests, queries: queries, pool: pool, sampler: sampler).read
        )
    }

    /// A swift-metrics factory over the same registry, for `MetricsSystem.bootstrap`: other
    /// libraries' swift-metrics then appear on `GET /metrics` too. (Telemetry's own series are
    /// registered directly, with HELP text, which swift-metrics cannot carry and promtool requires;
    /// the store's swift-metrics series get theirs from `DescribedMetricsFactory.help`.)
    public var metricsFactory: DescribedMetricsFactory {
        DescribedMetricsFactory(registry: registry)
    }

    /// The observer to hand to `Database(observers:)`: statistics, statement metrics, slow-query log.
    public var queryObserver: any QueryObserver {
        TelemetryQueryObserver(statistics: statistics, metrics: queries, slowLog: slowLog)
    }

    /// The long-running parts, for the store's `ServiceGroup`: the PostgreSQL sampler and the alerts.
    /// Records one answered request: the request series (`surge_http_*`, SLO windows) and, when
    /// it had a request id of its own, the end of its per-request statement counts. The one place
    /// request metrics are recorded, for the router (`TelemetryMiddleware`), the event-loop lane
    /// (`ProductPages`) and requests shed before the router.
    public func requestAnswered(route: String, method: String, status: Int, duration: Duration, requestID: String?) {
        requests.record(route: route, method: method, status: status, duration: duration)
        if let requestID { statistics.requestFinished(requestID) }
    }

    public func services(database: Database) -> [any Service] {
        [makeSampler(database: database), alerts]
    }

    /// Creates (once) the sampler that reads PostgreSQL's statistics through `database`.
    public func makeSampler(database: Database) -> ServerSampler {
        sampler.current(orMake: {
            ServerSampler(
                database: database, registry: registry, interval: configuration.sampleInterval, timeout: configuration.sampleTimeout,
                logger: logger.with(label: "surge.telemetry.sampler"))
        })
    }

    /// What the in-process alerts see now.
    func alertInputs() -> AlertInputs {
        AlertInputSource(clock: clock, requests: requests, queries: queries, pool: pool, sampler: sampler).read()
    }

    /// Dashboard event streams open now (each ends when its client goes).
    public var openDashboardStreams: Int { openStreams.value }

    /// The Prometheus text exposition of every metric.
    public func prometheusText() -> String {
        registry.emitToString()
    }

    /// What the dashboard shows, now.
    public func dashboardSnapshot() -> DashboardSnapshot {
        let report = statistics.report()
        return DashboardSnapshot(
            uptimeSeconds: Double(clock.now().nanoseconds) / 1e9,
            requests: requests.windowsSnapshot().recent(at: clock.now()),
            pool: pool.usage.map(DashboardSnapshot.Pool.init),
            server: sampler.current?.latest,
            topQueries: Array(report.queries.prefix(10)),
            nPlusOne: report.routes.flatMap { route in route.nPlusOne.map { "\(route.route): \($0.query)" } },
            alerts: alerts.active,
            doctor: doctor.latest,
            backends: backends.current
        )
    }
}

/// Gathers the in-process alerts' inputs: request windows, the slow-query rate, pool and server gauges.
struct AlertInputSource: Sendable {
    let clock: TelemetryClock
    let requests: RequestMetrics
    let queries: QueryMetrics
    let pool: PoolMetrics
    let sampler: SamplerSlot

    @Sendable func read() -> AlertInputs {
        var gauges: [AlertRule.Gauge: Double] = [
            .slowQueriesPerSecond: queries.slowRate(window: .seconds(300), at: clock.now()),
        ]
        if let usage = pool.usage { gauges[.poolWaiters] = Double(usage.waiters) }
        if let sampler = sampler.current {
            // Before the first attempt, "no sample" does not mean "down".
            gauges[.serverDown] = sampler.latest == nil && sampler.hasSampled ? 1 : 0
            if let sample = sampler.latest {
                gauges[.connectionsRatio] = sample.connectionsRatio
                gauges[.lockWaits] = Double(sample.lockWaits)
                gauges[.oldestTransactionSeconds] = sample.oldestTransactionSeconds
            }
            if let pipeline = sampler.database.pipeline, pipeline.configuration.connections > 0 {
                gauges[.pipelineDown] = pipeline.openConnections == 0 ? 1 : 0
            }
        }
        return AlertInputs(requests: requests.windowsSnapshot(), gauges: gauges)
    }
}

/// Holds the sampler once `services(database:)` made it (the alerts read its latest sample).
final class SamplerSlot: Sendable {
    private let slot = Mutex<ServerSampler?>(nil)

    var current: ServerSampler? { slot.withLock { $0 } }

    func current(orMake make: () -> ServerSampler) -> ServerSampler {
        slot.withLock { current in
            if let current { return current }
            let created = make()
            current = created
            return created
        }
    }
}

/// Fingerprints each statement once and feeds statistics, metrics and the slow-query log.
struct TelemetryQueryObserver: QueryObserver {
    let statistics: QueryStatistics
    let metrics: QueryMetrics
    let slowLog: SlowQueryLog

    func record(_ event: QueryEvent) {
        let fingerprinted = statistics.recordReturningFingerprint(event)
        metrics.record(event, fingerprint: fingerprinted.fingerprint)
        slowLog.record(event, fingerprint: fingerprinted)
    }
}

extension Logger {
    func with(label: String) -> Logger {
        var copy = Logger(label: label)
        copy.logLevel = logLevel
        return copy
    }
}
