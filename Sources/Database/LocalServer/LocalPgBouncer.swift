import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A private PgBouncer (Debian's 1.18) in front of a `LocalPostgres`, in transaction pooling mode,
/// on loopback: for the scale-out tests and `surge cluster up`. It runs as the server's OS user
/// (PgBouncer refuses root), daemonised with a pid file in its own directory.
///
/// Its `pgbouncer.ini` is `deploy/pgbouncer/pgbouncer.ini`'s settings with this machine's ports:
/// one database alias per pool mode (`<db>` in transaction mode for the store's pool, `<db>_session`
/// in session mode for LISTEN, migrations and pipelined reads).
public struct LocalPgBouncer: Sendable {
    public let directory: String
    public let port: Int
    public let server: LocalPostgres
    /// Server connections per database and user (PgBouncer's `default_pool_size`).
    public let poolSize: Int

    public init(directory: String, port: Int, server: LocalPostgres, poolSize: Int = 20) {
        self.directory = LocalPostgres.absolutePath(directory)
        self.port = port
        self.server = server
        self.poolSize = poolSize
    }

    var configPath: String { directory + "/pgbouncer.ini" }
    var pidPath: String { directory + "/pgbouncer.pid" }
    public var logPath: String { directory + "/pgbouncer.log" }

    /// The transaction-pooled URL (`?pgbouncer=true`) of `database`.
    public func url(database: String? = nil) throws -> String {
        let settings = try server.storedSettings()
        return "postgres://\(settings.user):\(settings.password)@127.0.0.1:\(port)/\(database ?? server.configuration.databaseName)?pgbouncer=true"
    }

    /// A session-mode URL through the same PgBouncer.
    public func sessionURL(database: String? = nil) throws -> String {
        let settings = try server.storedSettings()
        return "postgres://\(settings.user):\(settings.password)@127.0.0.1:\(port)/\(database ?? server.configuration.databaseName)_session"
    }

    /// Writes the configuration and starts PgBouncer (waiting until it accepts connections).
    public func start() async throws {
        let settings = try server.storedSettings()
        let fm = FileManager.default
        try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let user = try server.serverUser()
        if let user { _ = chown(directory, user.uid, user.gid) }
        let config = """
            ; Written by surge: transaction pooling in front of one private PostgreSQL (deploy/pgbouncer/pgbouncer.ini explains each line).
            [databases]
            * = host=127.0.0.1 port=\(settings.port)
            \(server.configuration.databaseName)_session = host=127.0.0.1 port=\(settings.port) dbname=\(server.configuration.databaseName) pool_mode=session
            [pgbouncer]
            listen_addr = 127.0.0.1
            listen_port = \(port)
            unix_socket_dir =
            auth_type = scram-sha-256
            auth_file = \(directory)/userlist.txt
            pool_mode = transaction
            default_pool_size = \(poolSize)
            max_client_conn = 5000
            max_db_connections = 0
            ignore_startup_parameters = extra_float_digits,statement_timeout,lock_timeout,idle_in_transaction_session_timeout
            server_reset_query =
            server_check_delay = 1
            server_login_retry = 1
            query_wait_timeout = 10
            logfile = \(logPath)
            pidfile = \(pidPath)
            admin_users = \(settings.user)
            """
        try (config + "\n").write(toFile: configPath, atomically: true, encoding: .utf8)
        try "\"\(settings.user)\" \"\(settings.password)\"\n".write(toFile: directory + "/userlist.txt", atomically: true, encoding: .utf8)
        for file in [configPath, directory + "/userlist.txt"] {
            _ = chmod(file, 0o600)
            if let user { _ = chown(file, user.uid, user.gid) }
        }
        try? fm.removeItem(atPath: pidPath)
        let result = try await server.runAsServerUser("/usr/sbin/pgbouncer", ["-d", configPath])
        guard result.succeeded else {
            let log = (try? String(contentsOfFile: logPath, encoding: .utf8))?.split(separator: "\n").suffix(5).joined(separator: "\n") ?? ""
            throw LocalPostgresError.commandFailed("pgbouncer", result.output + "\n" + log)
        }
        let deadline = ContinuousClock.now + .seconds(10)
        while !LocalPostgres.accepts(port: port) {
            guard ContinuousClock.now < deadline else { throw LocalPostgresError.commandFailed("pgbouncer", "not listening on \(port) after 10 s") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// The daemon's process id, from its pid file.
    public var pid: Int32? {
        (try? String(contentsOfFile: pidPath, encoding: .utf8)).flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    /// Stops PgBouncer at once (SIGTERM, its immediate shutdown: every client connection closes, as
    /// when the process dies; SIGINT would wait for clients to finish).
    public func stop() async throws {
        guard let pid else { return }
        kill(pid, SIGTERM)
        let deadline = ContinuousClock.now + .seconds(10)
        while kill(pid, 0) == 0 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        if kill(pid, 0) == 0 { kill(pid, SIGKILL) }
        try? FileManager.default.removeItem(atPath: pidPath)
    }

    /// Stops PgBouncer when this process exits, however it exits (the test suite's watchdog).
    public func stopWhenProcessExits() throws {
        // The pid now, not the pid file then: the test server's watchdog may have removed the directory first.
        guard let pid else { return }
        let script = "while [ -d /proc/\(getpid()) ]; do sleep 1; done; kill -TERM \(pid) 2>/dev/null"
        try ChildProcess.startDetached(script: script)
    }
}

extension LocalPostgres {
    /// Whether something on 127.0.0.1 accepts TCP connections on `port`.
    public static func accepts(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }
}
