import Configuration
import Database
import Foundation
import Storefront
import Synchronization

/// Everything `surge serve` runs with, read in one place through swift-configuration: a flag given
/// on the command line wins, then the environment, then the default stated here.
///
/// Every key is `surge.<flag name>` and its environment variable the same in capitals with
/// underscores (`--pool-size` → `surge.pool-size` → `SURGE_POOL_SIZE`); the database URL keeps the
/// conventional `DATABASE_URL`. `surge serve --print-config` shows each value and where it came from.
struct ServeSettings: Sendable {
    var databaseURL: String?
    var host = "127.0.0.1"
    var port = 8080
    var seedProducts = 100_000
    var seed: UInt64 = 42
    var poolSize: Int?
    var instances = 1
    var profile = StoreProfile.guarded
    var holdTTLSeconds = 600
    var paymentLatencyMs = 20
    var paymentDeclineRate = 0.0
    var slowQueryMs = 200
    var alertWebhook: URL?
    var catalogCacheMb = 32
    /// Seconds between the in-store doctor's looks at the database; 0 runs none.
    var doctorInterval = 30
    var serveCachedUnderOverload = true
    var fastProductPages = true
    var pipelinedReads = true
    var replicaURLs: [String] = []
    var maxReplicaLag: Duration = .seconds(1)
    /// `nil`: detected (or said by the URL's `?pgbouncer=`).
    var pgbouncer: Bool?
    var sessionURL: String?

    /// One resolved key, for `--print-config`.
    struct Entry: Sendable, Equatable {
        var key: String
        var environment: String
        var value: String
        /// `flag`, `environment` or `default`.
        var source: String
    }

    /// Every key read, in reading order, with its value and source.
    var entries: [Entry] = []

    /// Reads the settings: `flags` holds the options given on the command line (keyed as above),
    /// `environment` the process environment. Throws `UsageError` naming the key for a value that
    /// cannot be used.
    static func read(flags: [String: ConfigContent], environment: [String: String]) throws -> ServeSettings {
        let trail = ConfigTrail()
        var values: [AbsoluteConfigKey: ConfigValue] = [:]
        for (key, content) in flags {
            values[AbsoluteConfigKey(stringLiteral: key)] = ConfigValue(content, isSecret: ["database.url", "surge.replica-url", "surge.session-url"].contains(key))
        }
        let config = ConfigReader(providers: [
            InMemoryProvider(name: "flags", values: values),
            EnvironmentVariablesProvider(environmentVariables: environment,
                                         secretsSpecifier: .specific(["DATABASE_URL", "SURGE_REPLICA_URL", "SURGE_SESSION_URL", "SURGE_ADMIN_TOKEN"])),
        ], accessReporter: trail)
        var settings = ServeSettings()
        let defaults = settings
        settings.databaseURL = config.string(forKey: "database.url", isSecret: true).flatMap { $0.isEmpty ? nil : $0 }
        settings.host = config.string(forKey: "surge.host", default: defaults.host)
        settings.port = config.int(forKey: "surge.port", default: defaults.port)
        settings.seedProducts = config.int(forKey: "surge.seed-products", default: defaults.seedProducts)
        let seed = config.int(forKey: "surge.seed", default: Int(defaults.seed))
        settings.poolSize = config.int(forKey: "surge.pool-size")
        settings.instances = config.int(forKey: "surge.instances", default: defaults.instances)
        let profile = config.string(forKey: "surge.profile", default: defaults.profile.rawValue)
        settings.holdTTLSeconds = config.int(forKey: "surge.hold-ttl-seconds", default: defaults.holdTTLSeconds)
        settings.paymentLatencyMs = config.int(forKey: "surge.payment-latency-ms", default: defaults.paymentLatencyMs)
        settings.paymentDeclineRate = config.double(forKey: "surge.payment-decline-rate", default: defaults.paymentDeclineRate)
        settings.slowQueryMs = config.int(forKey: "surge.slow-query-ms", default: defaults.slowQueryMs)
        let webhook = config.string(forKey: "surge.alert-webhook")
        settings.catalogCacheMb = config.int(forKey: "surge.catalog-cache-mb", default: defaults.catalogCacheMb)
        settings.doctorInterval = config.int(forKey: "surge.doctor-interval", default: defaults.doctorInterval)
        settings.serveCachedUnderOverload = config.bool(forKey: "surge.serve-cached-under-overload", default: defaults.serveCachedUnderOverload)
        settings.fastProductPages = config.bool(forKey: "surge.fast-product-pages", default: defaults.fastProductPages)
        settings.pipelinedReads = config.bool(forKey: "surge.pipelined-reads", default: defaults.pipelinedReads)
        settings.replicaURLs = config.stringArray(forKey: "surge.replica-url", isSecret: true, default: []).filter { !$0.isEmpty }
        let lag = config.string(forKey: "surge.max-replica-lag", default: "1s")
        settings.pgbouncer = config.bool(forKey: "surge.pgbouncer")
        settings.sessionURL = config.string(forKey: "surge.session-url", isSecret: true).flatMap { $0.isEmpty ? nil : $0 }

        if let bad = trail.firstConversionFailure {
            throw UsageError("\(bad.key) (\(bad.environment) or \(bad.flag)) is not a valid \(bad.type): \(bad.detail)")
        }
        guard (0...65535).contains(settings.port) else { throw UsageError("--port must be from 0 to 65535") }
        if let poolSize = settings.poolSize, !(1...1000).contains(poolSize) { throw UsageError("--pool-size must be from 1 to 1000") }
        guard (1...1000).contains(settings.instances) else { throw UsageError("--instances must be from 1 to 1000") }
        guard let chosen = StoreProfile(rawValue: profile) else {
            throw UsageError("--profile must be one of \(StoreProfile.allCases.map(\.rawValue).joined(separator: ", ")), not '\(profile)'")
        }
        settings.profile = chosen
        guard settings.seedProducts >= 0 else { throw UsageError("--seed-products must be 0 or more") }
        guard seed >= 0 else { throw UsageError("--seed must be 0 or more") }
        settings.seed = UInt64(seed)
        guard settings.holdTTLSeconds > 0 else { throw UsageError("--hold-ttl-seconds must be 1 or more") }
        guard settings.paymentLatencyMs >= 0 else { throw UsageError("--payment-latency-ms must be 0 or more") }
        guard (0...1).contains(settings.paymentDeclineRate) else { throw UsageError("--payment-decline-rate must be from 0 to 1") }
        guard settings.slowQueryMs >= 0 else { throw UsageError("--slow-query-ms must be 0 or more") }
        guard settings.doctorInterval == 0 || (5...3600).contains(settings.doctorInterval) else {
            throw UsageError("--doctor-interval must be 0 (no doctor) or from 5 to 3600 seconds, not \(settings.doctorInterval)")
        }
        guard (0...65536).contains(settings.catalogCacheMb) else {
            throw UsageError("--catalog-cache-mb must be from 0 to 65536 (0 turns the cache off)")
        }
        if let webhook {
            guard let url = URL(string: webhook), url.scheme == "http" || url.scheme == "https" else {
                throw UsageError("--alert-webhook must be an http(s) URL")
            }
            settings.alertWebhook = url
        }
        guard let maxLag = DurationText.parse(lag), maxLag > .zero else {
            throw UsageError("--max-replica-lag must be a duration such as 1s or 500ms, not '\(lag)'")
        }
        settings.maxReplicaLag = maxLag
        for url in [settings.databaseURL, settings.sessionURL].compactMap({ $0 }) + settings.replicaURLs {
            _ = try DatabaseURL(url)
        }
        settings.entries = trail.entries
        return settings
    }

    /// The store's deployment for `primary` (the given URL or the private server's).
    func deployment(primary: DatabaseURL) throws -> StoreDeployment {
        var store = StoreConfiguration(
            host: host, port: port, holdTTL: .seconds(holdTTLSeconds),
            payment: .init(medianLatency: .milliseconds(paymentLatencyMs), declineRate: paymentDeclineRate))
        store.profile = profile
        store.serveCachedUnderOverload = serveCachedUnderOverload
        store.productPagesOnEventLoop = fastProductPages
        store.catalogCacheBytes = catalogCacheMb << 20
        var deployment = StoreDeployment(primary: primary, store: store)
        deployment.replicas = try replicaURLs.map(DatabaseURL.init)
        deployment.maximumReplicaLag = maxReplicaLag
        deployment.poolSize = poolSize
        deployment.instances = instances
        deployment.monitoringConnections = doctorInterval > 0 ? 1 : 0
        deployment.pipelinedReads = pipelinedReads
        deployment.transactionPooler = pgbouncer
        deployment.session = try sessionURL.map(DatabaseURL.init)
        return deployment
    }

    /// `--print-config`: one line per key, aligned, secrets masked.
    var printed: String {
        let keyWidth = entries.map(\.key.count).max() ?? 0
        let envWidth = entries.map(\.environment.count).max() ?? 0
        let valueWidth = min(48, entries.map(\.value.count).max() ?? 0)
        let header = "key".padding(toLength: keyWidth, withPad: " ", startingAt: 0) + "  "
            + "environment".padding(toLength: envWidth, withPad: " ", startingAt: 0) + "  "
            + "value".padding(toLength: valueWidth, withPad: " ", startingAt: 0) + "  source"
        let lines = entries.map { entry in
            entry.key.padding(toLength: keyWidth, withPad: " ", startingAt: 0) + "  "
                + entry.environment.padding(toLength: envWidth, withPad: " ", startingAt: 0) + "  "
                + entry.value.padding(toLength: max(valueWidth, entry.value.count), withPad: " ", startingAt: 0) + "  " + entry.source
        }
        return ([header] + lines).joined(separator: "\n")
    }
}

/// Records, for every key read, which provider answered (or that the default was used) and any
/// value that could not be converted: swift-configuration falls back to the default silently, and
/// `SURGE_PORT=80a` must not quietly mean port 8080.
final class ConfigTrail: AccessReporter, Sendable {
    struct Failure: Sendable {
        var key: String
        var environment: String
        var flag: String
        var type: String
        var detail: String
    }

    private let state = Mutex<(entries: [ServeSettings.Entry], failures: [Failure])>(([], []))

    func report(_ event: AccessEvent) {
        let key = event.metadata.key.components.joined(separator: ".")
        let environment = key == "database.url" ? "DATABASE_URL"
            : key.uppercased().map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined()
        var source = "default"
        var failure: Failure? = nil
        for result in event.providerResults {
            switch result.result {
            case .success(let lookup) where lookup.value != nil:
                if source == "default" { source = result.providerName.hasPrefix("InMemoryProvider") ? "flag" : "environment" }
            case .failure(let error):
                failure = Failure(key: key, environment: environment, flag: "--" + (key.split(separator: ".").last.map(String.init) ?? key),
                                  type: "\(event.metadata.valueType)", detail: "\(error)")
            default:
                break
            }
        }
        let value: String
        switch event.result {
        case .success(let found?): value = found.isSecret ? Self.masked(found.content) : Self.text(found.content)
        case .success(nil): value = "(none)"
        case .failure: value = "(invalid)"
        }
        state.withLock { state in
            state.entries.append(.init(key: key, environment: environment, value: value, source: source))
            if let failure { state.failures.append(failure) }
        }
    }

    var entries: [ServeSettings.Entry] { state.withLock { $0.entries } }
    var firstConversionFailure: Failure? { state.withLock { $0.failures.first } }

    static func text(_ content: ConfigContent) -> String {
        switch content {
        case .string(let value): value
        case .int(let value): "\(value)"
        case .double(let value): "\(value)"
        case .bool(let value): "\(value)"
        case .stringArray(let values): values.joined(separator: ",")
        default: "\(content)"
        }
    }

    /// A URL with its password hidden; anything else secret entirely.
    static func masked(_ content: ConfigContent) -> String {
        switch content {
        case .string(let value): (try? DatabaseURL(value).description) ?? "***"
        case .stringArray(let values): values.map { (try? DatabaseURL($0).description) ?? "***" }.joined(separator: ",")
        default: "***"
        }
    }
}
