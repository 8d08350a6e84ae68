/// Why the private PostgreSQL server could not be used; each message says how to fix it.
public enum LocalPostgresError: Error, CustomStringConvertible {
    case binariesNotFound(foundOlder: Int?)
    case noServerUser(String)
    case notTraversable(String, String)
    case notInitialized(String)
    case commandFailed(String, String)
    case noFreePort

    public var description: String {
        switch self {
        case .binariesNotFound(let older):
            let found = older.map { "only PostgreSQL \($0) was found; " } ?? "no PostgreSQL server programs were found; "
            return found + "install PostgreSQL 15 or newer (Debian/Ubuntu: apt-get install postgresql; macOS: brew install postgresql@16), "
                + "set SURGE_PG_BINDIR to its bin directory, or pass --database-url postgres://user:pass@host/db"
        case .noServerUser(let name):
            return "running as root, but OS user '\(name)' does not exist to run PostgreSQL: create it (useradd --system \(name)) or pass --pg-user NAME"
        case .notTraversable(let dir, let user):
            return "OS user '\(user)' cannot enter \(dir) to reach the data directory: pass --data-dir under a world-traversable path such as /var/tmp/surge"
        case .notInitialized(let dir):
            return "no private PostgreSQL in \(dir): run `surge db start` (or `surge serve`) first"
        case .commandFailed(let command, let output):
            return "\(command) failed: \(output.isEmpty ? "no output" : output)"
        case .noFreePort:
            return "could not find a free TCP port on 127.0.0.1 for PostgreSQL"
        }
    }
}
