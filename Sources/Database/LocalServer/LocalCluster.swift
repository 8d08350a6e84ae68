import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The scale-out topology on one machine, on loopback ports, from real parts: a primary, streaming
/// replicas (pg_basebackup, replication slots), PgBouncer in transaction mode, N `surge serve`
/// processes and HAProxy (Debian's) in front with health checks on `/health/ready`.
/// `surge cluster up` / `down` and the scale-out tests run it. Every part lives in `directory`
/// (data, configs, logs, pid files), and `cluster.state` records its ports and pids for `down`.
public struct LocalCluster: Sendable {
    public struct Options: Sendable {
        public var directory: String
        public var instances: Int
        public var replicas: Int
        public var pgbouncer: Bool
        /// HAProxy's port (the store's one address).
        public var port: Int
        /// The `surge` executable that serves the instances.
        public var surgeExecutable: String
        /// Extra environment for every instance (`SURGE_*` settings).
        public var instanceEnvironment: [String: String]
        public var osUser: String

        public init(directory: String, instances: Int, replicas: Int, pgbouncer: Bool, port: Int, surgeExecutable: String,
                    instanceEnvironment: [String: String] = [:], osUser: String = "postgres") {
            self.directory = LocalPostgres.absolutePath(directory)
            self.instances = instances
            self.replicas = replicas
            self.pgbouncer = pgbouncer
            self.port = port
            self.surgeExecutable = surgeExecutable
            self.instanceEnvironment = instanceEnvironment
            self.osUser = osUser
        }
    }

    /// One running store process.
    public struct Instance: Sendable, Codable, Equatable {
        public var port: Int
        public var pid: Int32
    }

    public let options: Options
    public let primary: LocalPostgres
    public let replicas: [LocalPostgres]
    public let pgbouncer: LocalPgBouncer?
    let logger: Logger

    public init(_ options: Options, logger: Logger) throws {
        self.options = options
        self.logger = logger
        try FileManager.default.createDirectory(atPath: options.directory, withIntermediateDirectories: true)
        _ = chmod(options.directory, 0o755)
        // A port from the kernel (used only when the primary is first initialised; then its settings keep
        // it), not `surge serve`'s 54329: two clusters made at once (the test suite, a drill beside a
        // cluster) both saw 54329 free and the second server could not bind it.
        primary = try LocalPostgres(configuration: .init(dataDirectory: options.directory + "/primary", port: try LocalPostgres.pickPort(),
                                                         osUser: options.osUser,
                                                         extraSettings: ["max_connections = 300", "wal_level = replica"]),
                                    logger: logger)
        replicas = try (0..<options.replicas).map { index in
            try LocalPostgres(configuration: .init(dataDirectory: options.directory + "/replica-\(index + 1)", osUser: options.osUser),
                              logger: logger)
        }
        pgbouncer = options.pgbouncer
            ? LocalPgBouncer(directory: options.directory + "/pgbouncer", port: Self.storedPort(options.directory, "pgbouncer") ?? 0,
                             server: primary, poolSize: 20)
            : nil
    }

    /// Starts the databases (initialising them on first use): the primary, then its replicas.
    /// Returns the primary's direct URL, for migrating and seeding before the instances start.
    public func startDatabases() async throws -> DatabaseURL {
        try await primary.start()
        for (index, replica) in replicas.enumerated() {
            if case .notInitialized = try await replica.status() {
                _ = try await primary.makeReplica(dataDirectory: replica.configuration.dataDirectory, port: try LocalPostgres.pickPort(),
                                                  slot: "surge_replica_\(index + 1)")
            }
            try await replica.start()
        }
        return try DatabaseURL(primary.url())
    }

    /// Starts PgBouncer, the store instances and HAProxy, and waits until HAProxy answers
    /// `/health/ready` with 200. Returns the instances.
    public func startServing(timeout: Duration = .seconds(120)) async throws -> [Instance] {
        var bouncer = pgbouncer
        if let existing = bouncer {
            let port = existing.port == 0 ? try LocalPostgres.pickPort() : existing.port
            bouncer = LocalPgBouncer(directory: existing.directory, port: port, server: primary, poolSize: existing.poolSize)
            try await bouncer?.start()
            try Self.store(options.directory, "pgbouncer", port)
        }
        var instances: [Instance] = []
        for index in 0..<options.instances {
            instances.append(try startInstance(index, pgbouncerPort: bouncer?.port))
        }
        try writeState(instances)
        try startHAProxy(instances)
        let deadline = ContinuousClock.now + timeout
        while !(await Self.ready(port: options.port)) {
            guard ContinuousClock.now < deadline else {
                throw LocalPostgresError.commandFailed("surge cluster up", "HAProxy on \(options.port) did not answer /health/ready with 200 in time: see \(options.directory)/store-*.log")
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        return instances
    }

    /// The environment a store instance runs with (its settings, through ServeSettings' keys).
    public func instanceEnvironment(port: Int, pgbouncerPort: Int?) throws -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        for (key, value) in options.instanceEnvironment { environment[key] = value }
        let direct = try primary.url()
        if let pgbouncerPort, let bouncer = pgbouncer {
            environment["DATABASE_URL"] = try LocalPgBouncer(directory: bouncer.directory, port: pgbouncerPort, server: primary).url()
            environment["SURGE_SESSION_URL"] = direct
        } else {
            environment["DATABASE_URL"] = direct
        }
        environment["SURGE_REPLICA_URL"] = try replicas.map { try $0.url() }.joined(separator: ",")
        environment["SURGE_PORT"] = "\(port)"
        environment["SURGE_INSTANCES"] = "\(options.instances)"
        environment["SURGE_SEED_PRODUCTS"] = "0"
        return environment
    }

    /// Starts (or restarts) store instance `index` on its port; its output goes to `store-<index>.log`.
    public func startInstance(_ index: Int, pgbouncerPort: Int?) throws -> Instance {
        let port = try Self.storedPort(options.directory, "store-\(index + 1)") ?? LocalPostgres.pickPort()
        try Self.store(options.directory, "store-\(index + 1)", port)
        let pid = try ChildProcess.start(options.surgeExecutable, ["serve"],
                                         environment: try instanceEnvironment(port: port, pgbouncerPort: pgbouncerPort),
                                         outputPath: options.directory + "/store-\(index + 1).log")
        return Instance(port: port, pid: pid)
    }

    /// HAProxy's configuration: `deploy/haproxy/haproxy.cfg`'s settings with this cluster's ports.
    public func haproxyConfiguration(_ instances: [Instance]) -> String {
        let servers = instances.enumerated().map { index, instance in
            "    server store\(index + 1) 127.0.0.1:\(instance.port) check inter 500ms fall 2 rise 2 slowstart 5s"
        }.joined(separator: "\n")
        return """
            # Written by surge cluster up (deploy/haproxy/haproxy.cfg explains each line).
            global
                maxconn 4000
                pidfile \(options.directory)/haproxy.pid
            defaults
                mode http
                timeout connect 2s
                timeout client 30s
                timeout server 30s
                timeout http-keep-alive 10s
                option http-keep-alive
                retries 2
                option redispatch
                retry-on conn-failure empty-response 503
            frontend store
                bind 127.0.0.1:\(options.port)
                default_backend stores
            backend stores
                balance leastconn
                option httpchk GET /health/ready
                http-check expect status 200
                http-request disable-l7-retry unless METH_GET || { req.hdr(Idempotency-Key) -m found }
            \(servers)

            """
    }

    private func startHAProxy(_ instances: [Instance]) throws {
        let path = options.directory + "/haproxy.cfg"
        try haproxyConfiguration(instances).write(toFile: path, atomically: true, encoding: .utf8)
        let pid = try ChildProcess.start("/usr/sbin/haproxy", ["-W", "-db", "-f", path], environment: ProcessInfo.processInfo.environment,
                                         outputPath: options.directory + "/haproxy.log")
        try Self.store(options.directory, "haproxy-pid", Int(pid))
    }

    /// Stops everything `up` started, newest first: HAProxy, the instances, PgBouncer, replicas, primary.
    public func stop() async throws {
        var pids: [Int32] = []
        if let haproxy = Self.storedPort(options.directory, "haproxy-pid") { pids.append(Int32(haproxy)) }
        pids += readState().map(\.pid)
        for pid in pids { kill(pid, SIGTERM) }
        let deadline = ContinuousClock.now + .seconds(15)
        while pids.contains(where: { kill($0, 0) == 0 && !Self.isZombie($0) }) && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        for pid in pids where kill(pid, 0) == 0 { kill(pid, SIGKILL) }
        for pid in pids { var status: Int32 = 0; _ = waitpid(pid, &status, WNOHANG) }
        try? await pgbouncer?.stop()
        for replica in replicas.reversed() { try? await replica.stop() }
        try await primary.stop()
        try? FileManager.default.removeItem(atPath: options.directory + "/cluster.state")
        try? FileManager.default.removeItem(atPath: options.directory + "/haproxy-pid.port")
    }

    static func isZombie(_ pid: Int32) -> Bool {
        ((try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? "").contains(") Z ")
    }

    /// Whether HAProxy (or an instance) on `port` answers `GET /health/ready` with 200.
    public static func ready(port: Int) async -> Bool {
        guard let url = URL(string: "http://127.0.0.1:\(port)/health/ready") else { return false }
        var request = URLRequest(url: url)
        request.timeoutInterval = 1
        guard let (_, response) = try? await URLSession.shared.data(for: request) else { return false }
        return (response as? HTTPURLResponse)?.statusCode == 200
    }

    // MARK: - State

    /// Records `instances` (ports and pids) for `stop` and `surge cluster down`.
    public func writeState(_ instances: [Instance]) throws {
        let data = try JSONEncoder().encode(instances)
        try data.write(to: URL(fileURLWithPath: options.directory + "/cluster.state"))
    }

    /// The instances `up` started (empty when none).
    public func readState() -> [Instance] {
        guard let data = FileManager.default.contents(atPath: options.directory + "/cluster.state") else { return [] }
        return (try? JSONDecoder().decode([Instance].self, from: data)) ?? []
    }

    static func storedPort(_ directory: String, _ name: String) -> Int? {
        (try? String(contentsOfFile: directory + "/\(name).port", encoding: .utf8)).flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    static func store(_ directory: String, _ name: String, _ port: Int) throws {
        try "\(port)\n".write(toFile: directory + "/\(name).port", atomically: true, encoding: .utf8)
    }
}
