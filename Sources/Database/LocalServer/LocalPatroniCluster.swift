import Foundation
import Synchronization
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A PostgreSQL cluster that fails over by itself, from real parts on loopback ports: one etcd
/// (Debian's etcd-server 3.4, the consensus store), two or three Patroni 3.0 nodes (Debian's patroni),
/// each managing its own PostgreSQL 15 (the first bootstraps with initdb, the others clone it with
/// pg_basebackup and stream from it), and HAProxy (Debian's 2.6) in front, routing TCP connections to
/// whichever node Patroni's REST API reports as the primary (`GET /primary` answers 200 on the leader
/// only). For the failover test; `deploy/patroni/` holds the same configuration for real hosts.
///
/// - `synchronous_mode: true`: the leader commits only once a synchronous standby has the WAL, and
///   Patroni promotes only that standby, so a commit a client saw is on the node that takes over.
/// - ttl 10 s, loop_wait 1 s, retry_timeout 4 s (Patroni's defaults are 30 / 10 / 10; Patroni wants loop_wait + 2 × retry_timeout <= ttl): the leader key
///   expires at most 10 s after a dead leader's last renewal, and a standby notices within a second.
/// - Patroni, etcd and PostgreSQL run as `osUser` (the calling process may be root); HAProxy runs as
///   the caller. Every file lives in `directory`, which `stop()` removes.
public struct LocalPatroniCluster: Sendable {
    /// One Patroni node and the PostgreSQL it manages.
    public struct Node: Sendable, Equatable {
        public var name: String
        public var postgresPort: Int
        public var restPort: Int
        public var directory: String
        public var dataDirectory: String { directory + "/data" }
        public var configPath: String { directory + "/patroni.yml" }
        public var logPath: String { directory + "/patroni.log" }
    }

    public let directory: String
    public let nodes: [Node]
    public let etcdClientPort: Int
    public let etcdPeerPort: Int
    /// HAProxy's port: the store's database address, always the current primary.
    public let port: Int
    public let databaseName: String
    public let user: String
    public let password: String
    let replicationPassword: String
    let osUser: String
    let binDirectory: String
    /// Pids of the processes this value started (etcd, Patroni nodes, HAProxy), by name.
    private let pids: PidTable

    public init(directory: String, nodes nodeCount: Int = 2, osUser: String = "postgres",
                binDirectory: String = "/usr/lib/postgresql/15/bin", databaseName: String = "surge") throws {
        precondition((2...3).contains(nodeCount), "two or three Patroni nodes")
        self.directory = LocalPostgres.absolutePath(directory)
        self.osUser = osUser
        self.binDirectory = binDirectory
        self.databaseName = databaseName
        user = "surge"
        password = LocalPostgres.randomToken(bytes: 18)
        replicationPassword = LocalPostgres.randomToken(bytes: 18)
        var taken: Set<Int> = []
        func freePort() throws -> Int {
            while true {
                let candidate = try LocalPostgres.pickPort()
                if taken.insert(candidate).inserted { return candidate }
            }
        }
        etcdClientPort = try freePort()
        etcdPeerPort = try freePort()
        port = try freePort()
        var made: [Node] = []
        for index in 1...nodeCount {
            made.append(Node(name: "node\(index)", postgresPort: try freePort(), restPort: try freePort(),
                             directory: self.directory + "/node\(index)"))
        }
        nodes = made
        pids = PidTable()
    }

    /// The application URL through HAProxy (follows the leader).
    public var url: String { "postgres://\(user):\(password)@127.0.0.1:\(port)/\(databaseName)" }

    /// A node's own URL (bypassing HAProxy).
    public func directURL(_ node: Node) -> String {
        "postgres://\(user):\(password)@127.0.0.1:\(node.postgresPort)/\(databaseName)"
    }

    // MARK: - Start

    /// Starts etcd, the Patroni nodes and HAProxy, and waits until there is a leader with a running
    /// synchronous standby, the application database exists and HAProxy routes to the leader.
    public func start(timeout: Duration = .seconds(120)) async throws {
        let deadline = ContinuousClock.now + timeout
        let fm = FileManager.default
        let user = try serverUser()
        try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
        _ = chmod(directory, 0o755)
        try ensureTraversable(directory)
        for path in [directory + "/etcd"] + nodes.map(\.directory) {
            try fm.createDirectory(atPath: path, withIntermediateDirectories: true)
            _ = chown(path, user.uid, user.gid)
            _ = chmod(path, 0o700)
        }
        try startEtcd()
        while !LocalPostgres.accepts(port: etcdClientPort) {
            guard ContinuousClock.now < deadline else { throw failure("etcd", "not listening on \(etcdClientPort)", log: directory + "/etcd.log") }
            try await Task.sleep(for: .milliseconds(50))
        }
        for (index, node) in nodes.enumerated() {
            try writeConfiguration(node, owner: user)
            try startPatroni(node)
            // The first node bootstraps the cluster (initdb); the others clone it once it leads.
            if index == 0 {
                while await leader() == nil {
                    guard ContinuousClock.now < deadline else { throw failure("patroni", "no leader", log: node.logPath) }
                    try await Task.sleep(for: .milliseconds(200))
                }
            }
        }
        // Patroni 3.0.2 reports a replica "running"; 3.0.4 and later "streaming".
        while await members().filter({ $0.role == "sync_standby" && ["running", "streaming"].contains($0.state) }).isEmpty {
            guard ContinuousClock.now < deadline else {
                throw failure("patroni", "no synchronous standby: \(await members())", log: nodes[1].logPath)
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        guard let leader = await leader() else { throw failure("patroni", "the leader went away during start", log: nodes[0].logPath) }
        try await createDatabase(on: leader)
        try startHAProxy()
        // HAProxy counts a server as up until its first checks fail: a connection made at once may reach a
        // standby. Ready = three connections in a row reach a primary.
        var primaries = 0
        while primaries < 3 {
            guard ContinuousClock.now < deadline else { throw failure("haproxy", "does not route to the primary on \(port)", log: directory + "/haproxy.log") }
            let probe = try await runAsServerUser(binDirectory + "/psql", ["-h", "127.0.0.1", "-p", "\(port)", "-U", self.user, "-d", databaseName,
                                                                            "-qAtc", "SELECT pg_is_in_recovery()"])
            if probe.status == 0 && probe.output.trimmingCharacters(in: .whitespacesAndNewlines) == "f" {
                primaries += 1
            } else {
                primaries = 0
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    /// etcd 3.4, one member, as the server user. Patroni talks to it through the v3 API (`etcd3:`), which
    /// needs no `--enable-v2` and no python3-etcd.
    private func startEtcd() throws {
        let arguments = [
            "--name", "etcd1", "--data-dir", directory + "/etcd/data",
            "--listen-client-urls", "http://127.0.0.1:\(etcdClientPort)", "--advertise-client-urls", "http://127.0.0.1:\(etcdClientPort)",
            "--listen-peer-urls", "http://127.0.0.1:\(etcdPeerPort)", "--initial-advertise-peer-urls", "http://127.0.0.1:\(etcdPeerPort)",
            "--initial-cluster", "etcd1=http://127.0.0.1:\(etcdPeerPort)", "--initial-cluster-state", "new",
            "--initial-cluster-token", "surge-\(getpid())-\(etcdClientPort)",
            // A test cluster: no metrics listener, quiet logs.
            "--log-level", "warn",
        ]
        pids.set("etcd", try startAsServerUser("/usr/bin/etcd", arguments, outputPath: directory + "/etcd.log"))
    }

    private func startPatroni(_ node: Node) throws {
        pids.set(node.name, try startAsServerUser("/usr/bin/patroni", [node.configPath], outputPath: node.logPath))
    }

    /// `deploy/patroni/patroni.yml` with this machine's ports, paths and passwords.
    public func configuration(_ node: Node) -> String {
        """
        # Written by LocalPatroniCluster (deploy/patroni/patroni.yml explains each line).
        scope: surge-\(etcdClientPort)
        name: \(node.name)
        log:
          level: INFO
        restapi:
          listen: 127.0.0.1:\(node.restPort)
          connect_address: 127.0.0.1:\(node.restPort)
        etcd3:
          hosts: 127.0.0.1:\(etcdClientPort)
        bootstrap:
          dcs:
            ttl: 10
            loop_wait: 1
            retry_timeout: 4
            maximum_lag_on_failover: 1048576
            synchronous_mode: true
            synchronous_mode_strict: false
            postgresql:
              use_pg_rewind: true
              parameters:
                max_connections: 300
                wal_level: replica
                hot_standby: "on"
                max_wal_senders: 10
                max_replication_slots: 10
                wal_log_hints: "on"
                shared_preload_libraries: pg_stat_statements
                shared_buffers: 64MB
          initdb:
            - encoding: UTF8
            - locale: C.UTF-8
            - auth: scram-sha-256
        postgresql:
          listen: 127.0.0.1:\(node.postgresPort)
          connect_address: 127.0.0.1:\(node.postgresPort)
          data_dir: \(node.dataDirectory)
          bin_dir: \(binDirectory)
          pgpass: \(node.directory)/pgpass
          authentication:
            superuser:
              username: \(user)
              password: \(password)
            replication:
              username: replicator
              password: \(replicationPassword)
            rewind:
              username: \(user)
              password: \(password)
          parameters:
            unix_socket_directories: \(node.directory)
          pg_hba:
            - local all all scram-sha-256
            - host replication replicator 127.0.0.1/32 scram-sha-256
            - host all all 127.0.0.1/32 scram-sha-256
        tags:
          nofailover: false
          noloadbalance: false
          clonefrom: false
          nosync: false

        """
    }

    private func writeConfiguration(_ node: Node, owner: ServerUser) throws {
        try configuration(node).write(toFile: node.configPath, atomically: true, encoding: .utf8)
        _ = chown(node.configPath, owner.uid, owner.gid)
        _ = chmod(node.configPath, 0o600)
    }

    /// `deploy/patroni/haproxy.cfg` with this machine's ports: TCP to the node whose Patroni answers
    /// `GET /primary` with 200; connections to a node marked down are cut at once.
    public func haproxyConfiguration() -> String {
        let servers = nodes.map { "    server \($0.name) 127.0.0.1:\($0.postgresPort) check port \($0.restPort)" }.joined(separator: "\n")
        return """
            # Written by LocalPatroniCluster (deploy/patroni/haproxy.cfg explains each line).
            global
                maxconn 2000
            defaults
                mode tcp
                timeout connect 2s
                timeout client 30m
                timeout server 30m
                timeout check 1s
            frontend postgres
                bind 127.0.0.1:\(port)
                default_backend primary
            backend primary
                option httpchk GET /primary
                http-check expect status 200
                default-server inter 500ms fall 2 rise 1 on-marked-down shutdown-sessions
            \(servers)

            """
    }

    private func startHAProxy() throws {
        let path = directory + "/haproxy.cfg"
        try haproxyConfiguration().write(toFile: path, atomically: true, encoding: .utf8)
        pids.set("haproxy", try ChildProcess.start("/usr/sbin/haproxy", ["-W", "-db", "-f", path],
                                                   environment: ProcessInfo.processInfo.environment, outputPath: directory + "/haproxy.log"))
    }

    /// `CREATE DATABASE` (and pg_stat_statements in it) on the leader, through psql as the server user.
    private func createDatabase(on leader: Node) async throws {
        let psql = binDirectory + "/psql"
        let base = ["-h", "127.0.0.1", "-p", "\(leader.postgresPort)", "-U", user, "-v", "ON_ERROR_STOP=1", "-qAt"]
        let exists = try await runAsServerUser(psql, base + ["-d", "postgres", "-c", "SELECT 1 FROM pg_database WHERE datname = '\(databaseName)'"])
        guard exists.status == 0 else { throw LocalPostgresError.commandFailed("psql", exists.output) }
        if exists.output.trimmingCharacters(in: .whitespacesAndNewlines) != "1" {
            let create = try await runAsServerUser(psql, base + ["-d", "postgres", "-c", "CREATE DATABASE \(databaseName)"])
            guard create.status == 0 else { throw LocalPostgresError.commandFailed("CREATE DATABASE", create.output) }
        }
        let statements = try await runAsServerUser(psql, base + ["-d", databaseName, "-c", "CREATE EXTENSION IF NOT EXISTS pg_stat_statements"])
        guard statements.status == 0 else { throw LocalPostgresError.commandFailed("CREATE EXTENSION pg_stat_statements", statements.output) }
    }

    // MARK: - State

    /// One member as Patroni's `GET /cluster` reports it.
    public struct Member: Sendable, Equatable, CustomStringConvertible {
        public var name: String
        public var role: String
        public var state: String
        public var timeline: Int?
        public var description: String { "\(name) \(role) \(state) tl \(timeline.map(String.init) ?? "-")" }
    }

    /// The cluster's members as any live node's REST API reports them (empty when none answers).
    public func members() async -> [Member] {
        for node in nodes {
            guard let (data, status) = await Self.get(port: node.restPort, path: "/cluster"), status == 200,
                  let json = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
                  let list = json["members"] as? [[String: Any]] else { continue }
            return list.map {
                Member(name: $0["name"] as? String ?? "?", role: $0["role"] as? String ?? "?", state: $0["state"] as? String ?? "?",
                       timeline: $0["timeline"] as? Int)
            }
        }
        return []
    }

    /// The node whose Patroni answers `GET /primary` with 200 (what HAProxy routes to), if any.
    public func leader() async -> Node? {
        for node in nodes {
            if let (_, status) = await Self.get(port: node.restPort, path: "/primary"), status == 200 { return node }
        }
        return nil
    }

    static func get(port: Int, path: String) async -> (Data, Int)? {
        guard let url = URL(string: "http://127.0.0.1:\(port)\(path)") else { return nil }
        var request = URLRequest(url: url)
        request.timeoutInterval = 1
        guard let (data, response) = try? await URLSession.shared.data(for: request) else { return nil }
        return (data, (response as? HTTPURLResponse)?.statusCode ?? 0)
    }

    /// The pid of the postmaster running in `node`'s data directory (from `postmaster.pid`).
    public func postmasterPID(_ node: Node) -> Int32? {
        (try? String(contentsOfFile: node.dataDirectory + "/postmaster.pid", encoding: .utf8))?
            .split(separator: "\n").first.flatMap { Int32($0.trimmingCharacters(in: .whitespaces)) }
    }

    /// The pid of `node`'s Patroni.
    public func patroniPID(_ node: Node) -> Int32? { pids.get(node.name) }

    // MARK: - Faults

    /// The node dies as a machine would: its Patroni and its postmaster get SIGKILL together, so
    /// nothing renews the leader key and nothing restarts PostgreSQL there. (SIGKILL of the postmaster
    /// alone is a crash Patroni repairs in place: it runs crash recovery and starts the same node as
    /// primary again while holding the key, so no other node is promoted.) Returns the killed pids.
    @discardableResult
    public func crash(_ node: Node) -> [Int32] {
        let targets = [patroniPID(node), postmasterPID(node)].compactMap { $0 }
        for pid in targets { _ = kill(pid, SIGKILL) }
        if let patroni = patroniPID(node) { var status: Int32 = 0; _ = waitpid(patroni, &status, 0) }
        pids.remove(node.name)
        return targets
    }

    /// Starts `node`'s Patroni again after `crash`, as a machine coming back would: it finds another
    /// node holding the leader key and rejoins as its replica, running pg_rewind first when its
    /// timeline went past the point the new leader's forked from (`use_pg_rewind`).
    public func restart(_ node: Node) throws {
        guard patroniPID(node) == nil else { return }
        try startPatroni(node)
    }

    /// The lines of `node`'s Patroni log that mention pg_rewind (what the rejoin did), without their timestamps.
    public func rewindLines(_ node: Node) -> [String] {
        ((try? String(contentsOfFile: node.logPath, encoding: .utf8)) ?? "").split(separator: "\n")
            .filter { $0.contains("pg_rewind") || $0.contains("rewind") && $0.contains("WARNING") }
            .map { line in line.split(separator: " ", maxSplits: 2).last.map(String.init) ?? String(line) }
    }

    // MARK: - Stop

    /// Stops everything (HAProxy, Patroni, every postmaster, etcd) and removes the directory.
    public func stop() async {
        // Patroni first (it would restart a PostgreSQL stopped under it), then the postmasters by their
        // pid files (immediate shutdown: a throwaway cluster), then etcd and HAProxy.
        let patronis = nodes.compactMap { patroniPID($0) }
        for pid in patronis { _ = kill(pid, SIGKILL) }
        for pid in patronis { var status: Int32 = 0; _ = waitpid(pid, &status, 0) }
        let postmasters = nodes.compactMap { postmasterPID($0) }
        for pid in postmasters { _ = kill(pid, SIGQUIT) }
        let others = ["haproxy", "etcd"].compactMap { pids.get($0) }
        for pid in others { _ = kill(pid, SIGTERM) }
        let deadline = ContinuousClock.now + .seconds(10)
        while (postmasters + others).contains(where: { kill($0, 0) == 0 && !LocalCluster.isZombie($0) }) && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        for pid in postmasters + others where kill(pid, 0) == 0 { _ = kill(pid, SIGKILL) }
        for pid in others { var status: Int32 = 0; _ = waitpid(pid, &status, 0) }
        for node in nodes { pids.remove(node.name) }
        pids.remove("haproxy")
        pids.remove("etcd")
        if ProcessInfo.processInfo.environment["SURGE_KEEP_CLUSTER"] == nil { try? FileManager.default.removeItem(atPath: directory) }
    }

    /// A detached watchdog that kills every part (and removes the directory) once this process has
    /// exited, however it exits (the files stay with `SURGE_KEEP_CLUSTER` set). Call after `start()`.
    public func stopWhenProcessExits() throws {
        let quote: (String) -> String = { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        let started = (nodes.map(\.name) + ["etcd", "haproxy"]).compactMap { pids.get($0) }.map(String.init).joined(separator: " ")
        var script = "while [ -d /proc/\(getpid()) ]; do sleep 1; done; kill -KILL \(started) 2>/dev/null; "
        for node in nodes {
            script += "[ -f \(quote(node.dataDirectory + "/postmaster.pid")) ] && kill -QUIT $(head -1 \(quote(node.dataDirectory + "/postmaster.pid"))) 2>/dev/null; "
        }
        if ProcessInfo.processInfo.environment["SURGE_KEEP_CLUSTER"] == nil { script += "sleep 2; rm -rf \(quote(directory))" }
        try ChildProcess.startDetached(script: script)
    }

    /// Starts `executable` (a `surge serve` in front of this cluster) in a session of its own, output to
    /// `directory/<logName>`: its pid, for the caller to stop.
    public func launch(_ executable: String, _ arguments: [String], environment: [String: String], logName: String) throws -> Int32 {
        try ChildProcess.start(executable, arguments, environment: environment, outputPath: directory + "/" + logName)
    }

    // MARK: - Running as the server user

    struct ServerUser { var uid: uid_t; var gid: gid_t }

    func serverUser() throws -> ServerUser {
        guard geteuid() == 0 else { return ServerUser(uid: getuid(), gid: getgid()) }
        guard let entry = getpwnam(osUser) else { throw LocalPostgresError.noServerUser(osUser) }
        return ServerUser(uid: entry.pointee.pw_uid, gid: entry.pointee.pw_gid)
    }

    /// `sh -c 'cd /tmp && exec setpriv … program args'` (as root) in a session of its own: the pid is
    /// the program's, since each step execs the next. /tmp: a working directory the user can enter.
    private func startAsServerUser(_ program: String, _ arguments: [String], outputPath: String) throws -> Int32 {
        var command = [program] + arguments
        if geteuid() == 0 {
            let user = try serverUser()
            command = ["/usr/bin/setpriv", "--reuid=\(user.uid)", "--regid=\(user.gid)", "--init-groups", "--"] + command
        }
        var environment = ProcessInfo.processInfo.environment
        environment["LC_ALL"] = "C.UTF-8"
        environment["HOME"] = "/tmp"
        return try ChildProcess.start("/bin/sh", ["-c", "cd /tmp && exec \"$@\"", "sh"] + command, environment: environment, outputPath: outputPath)
    }

    private func runAsServerUser(_ program: String, _ arguments: [String]) async throws -> (status: Int32, output: String) {
        var executable = program
        var argv = arguments
        if geteuid() == 0 {
            let user = try serverUser()
            executable = "/usr/bin/setpriv"
            argv = ["--reuid=\(user.uid)", "--regid=\(user.gid)", "--init-groups", "--", program] + arguments
        }
        let outputPath = directory + "/command-\(UInt32.random(in: 0...UInt32.max)).out"
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        var environment = ProcessInfo.processInfo.environment
        environment["PGPASSWORD"] = password
        environment["LC_ALL"] = "C.UTF-8"
        let status = try await ChildProcess.run(executable, argv, environment: environment, outputPath: outputPath)
        return (status, (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "")
    }

    private func ensureTraversable(_ path: String) throws {
        guard geteuid() == 0 else { return }
        var current = URL(fileURLWithPath: path).deletingLastPathComponent().path
        while current != "/" && !current.isEmpty {
            var info = stat()
            if stat(current, &info) == 0, info.st_mode & 0o001 == 0 { throw LocalPostgresError.notTraversable(current, osUser) }
            current = URL(fileURLWithPath: current).deletingLastPathComponent().path
        }
    }

    private func failure(_ what: String, _ message: String, log: String) -> LocalPostgresError {
        let tail = (try? String(contentsOfFile: log, encoding: .utf8))?.split(separator: "\n").suffix(8).joined(separator: "\n") ?? ""
        return .commandFailed(what, message + " (\(log)):\n" + tail)
    }
}

/// The pids a `LocalPatroniCluster` started (shared by its copies).
final class PidTable: Sendable {
    private let table = Mutex<[String: Int32]>([:])
    func set(_ name: String, _ pid: Int32) { table.withLock { $0[name] = pid } }
    func get(_ name: String) -> Int32? { table.withLock { $0[name] } }
    func remove(_ name: String) { _ = table.withLock { $0.removeValue(forKey: name) } }
}
