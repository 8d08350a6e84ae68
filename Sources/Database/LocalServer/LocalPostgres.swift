import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A private PostgreSQL server in a data directory of its own, on loopback: Surge's zero-config mode.
///
/// `start()` initialises the directory on first use (with pg_stat_statements preloaded and a generated
/// password), starts the server with `pg_ctl`, and reuses a server that is already running there.
/// When the calling process is root, every PostgreSQL program runs as an unprivileged OS user
/// (`postgres` by default), because `initdb` and `postgres` refuse to run as root.
public struct LocalPostgres: Sendable {
    /// Where the server lives and whom it runs as.
    public struct Configuration: Sendable {
        /// The data directory (created if missing).
        public var dataDirectory: String
        /// TCP port on 127.0.0.1; `nil` picks the default (54329) or, if that is taken, a free one.
        public var port: Int?
        /// The OS user that runs PostgreSQL when this process is root.
        public var osUser: String
        /// The database and role created for the application.
        public var databaseName: String
        /// Extra `postgresql.conf` lines (for example a faster, non-durable test profile).
        public var extraSettings: [String]

        public init(
            dataDirectory: String = ".surge/postgres",
            port: Int? = nil,
            osUser: String = "postgres",
            databaseName: String = "surge",
            extraSettings: [String] = []
        ) {
            self.dataDirectory = dataDirectory
            self.port = port
            self.osUser = osUser
            self.databaseName = databaseName
            self.extraSettings = extraSettings
        }
    }

    /// What `status()` found.
    public enum Status: Sendable, Equatable {
        case notInitialized
        case stopped
        case running(pid: Int)
    }

    public let configuration: Configuration
    public let binaries: PostgresBinaries
    let logger: Logger

    /// Absolute data directory path.
    public var dataDirectory: String { Self.absolutePath(configuration.dataDirectory) }

    public init(configuration: Configuration, binaries: PostgresBinaries? = nil, logger: Logger) throws {
        self.configuration = configuration
        self.binaries = try binaries ?? PostgresBinaries.locate()
        self.logger = logger
    }

    /// The connection URL of the application role (reads the password and port the directory was made with).
    public func url() throws -> String {
        let settings = try storedSettings()
        return "postgres://\(settings.user):\(settings.password)@127.0.0.1:\(settings.port)/\(configuration.databaseName)"
    }

    /// Whether a server is initialised and running in the data directory.
    public func status() async throws -> Status {
        guard FileManager.default.fileExists(atPath: dataDirectory + "/PG_VERSION") else { return .notInitialized }
        let result = try await runAsServerUser(binaries.path("pg_ctl"), ["-D", dataDirectory, "status"])
        guard result.succeeded else { return .stopped }
        let pidText = (try? String(contentsOfFile: dataDirectory + "/postmaster.pid", encoding: .utf8))?
            .split(separator: "\n").first.map(String.init) ?? ""
        return .running(pid: Int(pidText) ?? 0)
    }

    /// Initialises (if needed) and starts the server, returning `true` if this call started it and
    /// `false` if it was already running (then the caller must not stop it).
    @discardableResult
    public func start() async throws -> Bool {
        if case .notInitialized = try await status() {
            try await initialize()
        }
        if case .running = try await status() {
            logger.info("reusing running PostgreSQL", metadata: ["data_dir": "\(dataDirectory)"])
            return false
        }
        let settings = try storedSettings()
        let result = try await runAsServerUser(
            binaries.path("pg_ctl"),
            ["-D", dataDirectory, "-l", dataDirectory + "/server.log", "-w", "-t", "60", "-o", "-p \(settings.port)", "start"]
        )
        guard result.succeeded else {
            let tail = (try? String(contentsOfFile: dataDirectory + "/server.log", encoding: .utf8))?
                .split(separator: "\n").suffix(5).joined(separator: "\n") ?? ""
            throw LocalPostgresError.commandFailed("pg_ctl start", result.output + "\n" + tail)
        }
        logger.info("started private PostgreSQL", metadata: ["data_dir": "\(dataDirectory)", "port": "\(settings.port)"])
        return true
    }

    /// Stops the server (fast shutdown: open transactions roll back, committed data is safe).
    public func stop() async throws {
        guard case .running = try await status() else { return }
        let result = try await runAsServerUser(binaries.path("pg_ctl"), ["-D", dataDirectory, "-m", "fast", "-w", "-t", "60", "stop"])
        guard result.succeeded else { throw LocalPostgresError.commandFailed("pg_ctl stop", result.output) }
        logger.info("stopped private PostgreSQL", metadata: ["data_dir": "\(dataDirectory)"])
    }

    // MARK: - Initialisation

    private func initialize() async throws {
        let fm = FileManager.default
        let user = try serverUser()
        try fm.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        try ensureTraversable(dataDirectory, by: user)
        if let user { _ = chown(dataDirectory, user.uid, user.gid) }
        _ = chmod(dataDirectory, 0o700)

        let password = Self.randomToken(bytes: 18)
        let port = try configuration.port ?? Self.pickPort(preferred: 54329)
        let pwfile = NSTemporaryDirectory() + "surge-pw-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try password.write(toFile: pwfile, atomically: true, encoding: .utf8)
        if let user { _ = chown(pwfile, user.uid, user.gid) }
        defer { try? fm.removeItem(atPath: pwfile) }

        let initdb = try await runAsServerUser(binaries.path("initdb"), [
            "-D", dataDirectory, "-U", "surge", "--pwfile=\(pwfile)", "--auth=scram-sha-256",
            "--encoding=UTF8", "--locale=C.UTF-8", "--no-instructions",
        ])
        guard initdb.succeeded else { throw LocalPostgresError.commandFailed("initdb", initdb.output) }

        var conf = [
            "# Written by surge: a private server for one application, on loopback only.",
            "listen_addresses = '127.0.0.1'",
            "port = \(port)",
            "unix_socket_directories = '\(dataDirectory)'",
            "max_connections = 200",
            "shared_buffers = '256MB'",
            "shared_preload_libraries = 'pg_stat_statements'",
            "pg_stat_statements.track = 'top'",
            "pg_stat_statements.max = 5000",
            "track_io_timing = on",
            "log_min_duration_statement = 1000",
            "log_lock_waits = on",
        ]
        conf.append(contentsOf: configuration.extraSettings)
        let confPath = dataDirectory + "/surge.conf"
        try (conf.joined(separator: "\n") + "\n").write(toFile: confPath, atomically: true, encoding: .utf8)
        let main = try FileHandle(forWritingTo: URL(fileURLWithPath: dataDirectory + "/postgresql.conf"))
        try main.seekToEnd()
        try main.write(contentsOf: Data("\ninclude 'surge.conf'\n".utf8))
        try main.close()
        // Secrets are readable only by the owner of this process, never by the server user.
        let secret = "user=surge\npassword=\(password)\nport=\(port)\n"
        try secret.write(toFile: secretsPath, atomically: true, encoding: .utf8)
        _ = chmod(secretsPath, 0o600)
        if let user { _ = chown(confPath, user.uid, user.gid) }

        // Create the application database once the server is up.
        let result = try await runAsServerUser(
            binaries.path("pg_ctl"),
            ["-D", dataDirectory, "-l", dataDirectory + "/server.log", "-w", "-t", "60", "start"]
        )
        guard result.succeeded else { throw LocalPostgresError.commandFailed("pg_ctl start", result.output) }
        if configuration.databaseName != "postgres" {
            let create = try await runAsServerUser(
                binaries.path("createdb"),
                ["-h", "127.0.0.1", "-p", "\(port)", "-U", "surge", configuration.databaseName],
                environment: ["PGPASSWORD": password]
            )
            guard create.succeeded else { throw LocalPostgresError.commandFailed("createdb", create.output) }
            // The server preloads pg_stat_statements; its view exists only where the extension is
            // created, and `surge analyze` / `surge doctor` read it from the application database.
            let statements = try await runAsServerUser(
                binaries.path("psql"),
                ["-h", "127.0.0.1", "-p", "\(port)", "-U", "surge", "-d", configuration.databaseName, "-v", "ON_ERROR_STOP=1",
                 "-qc", "CREATE EXTENSION IF NOT EXISTS pg_stat_statements"],
                environment: ["PGPASSWORD": password]
            )
            guard statements.succeeded else { throw LocalPostgresError.commandFailed("CREATE EXTENSION pg_stat_statements", statements.output) }
        }
        _ = try await runAsServerUser(binaries.path("pg_ctl"), ["-D", dataDirectory, "-m", "fast", "-w", "stop"])
        logger.info("initialised private PostgreSQL", metadata: ["data_dir": "\(dataDirectory)", "port": "\(port)"])
    }

    var secretsPath: String { dataDirectory + ".surge-credentials" }

    struct StoredSettings { var user: String; var password: String; var port: Int }

    func storedSettings() throws -> StoredSettings {
        guard let text = try? String(contentsOfFile: secretsPath, encoding: .utf8) else {
            throw LocalPostgresError.notInitialized(dataDirectory)
        }
        var values: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { values[parts[0]] = parts[1] }
        }
        guard let user = values["user"], let password = values["password"], let port = values["port"].flatMap(Int.init) else {
            throw LocalPostgresError.notInitialized(dataDirectory)
        }
        return StoredSettings(user: user, password: password, port: port)
    }

    // MARK: - Running programs as the server user

    struct ServerUser { var name: String; var uid: uid_t; var gid: gid_t }

    /// The OS user to run PostgreSQL as: `nil` when this process is not root (run as ourselves).
    func serverUser() throws -> ServerUser? {
        guard geteuid() == 0 else { return nil }
        guard let entry = getpwnam(configuration.osUser) else {
            throw LocalPostgresError.noServerUser(configuration.osUser)
        }
        return ServerUser(name: configuration.osUser, uid: entry.pointee.pw_uid, gid: entry.pointee.pw_gid)
    }

    struct CommandResult { var succeeded: Bool; var output: String }

    func runAsServerUser(_ path: String, _ arguments: [String], environment: [String: String] = [:]) async throws -> CommandResult {
        // As root, `setpriv` drops to the server user inside the child. Switching user in a forked
        // child of this multi-threaded process instead can deadlock before exec, so we never do that.
        var executable = path
        var argv = arguments
        if let user = try serverUser() {
            executable = "/usr/bin/setpriv"
            argv = ["--reuid=\(user.uid)", "--regid=\(user.gid)", "--init-groups", "--", path] + arguments
        }
        // Output goes to a file, not a pipe: a daemonised postmaster inherits the descriptors and would
        // keep a pipe open forever.
        let outputPath = NSTemporaryDirectory() + "surge-cmd-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).log"
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        var env = ProcessInfo.processInfo.environment
        env["LC_ALL"] = "C.UTF-8"
        for (key, value) in environment { env[key] = value }
        let status = try await ChildProcess.run(executable, argv, environment: env, outputPath: outputPath)
        let text = ((try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        return CommandResult(succeeded: status == 0, output: text)
    }

    /// The server user must be able to reach the data directory through every parent.
    private func ensureTraversable(_ path: String, by user: ServerUser?) throws {
        guard user != nil else { return }
        var current = URL(fileURLWithPath: path).deletingLastPathComponent().path
        while current != "/" && !current.isEmpty {
            var info = stat()
            if stat(current, &info) == 0, info.st_mode & 0o001 == 0 {
                throw LocalPostgresError.notTraversable(current, configuration.osUser)
            }
            current = URL(fileURLWithPath: current).deletingLastPathComponent().path
        }
    }

    // MARK: - Helpers

    static func absolutePath(_ path: String) -> String {
        if path.hasPrefix("/") { return URL(fileURLWithPath: path).standardizedFileURL.path }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(path).standardizedFileURL.path
    }

    static func randomToken(bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        return String((0..<(bytes * 4 / 3)).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] })
    }

    /// `preferred` if nothing listens there, otherwise a free port chosen by the kernel.
    public static func pickPort(preferred: Int? = nil) throws -> Int {
        if let preferred, canBind(port: preferred) { return preferred }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw LocalPostgresError.noFreePort }
        defer { close(fd) }
        var addr = loopback(port: 0)
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw LocalPostgresError.noFreePort }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    static func canBind(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var addr = loopback(port: port)
        return withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        return addr
    }
}
