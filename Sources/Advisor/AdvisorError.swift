/// Why the advisor stopped; each message says how to fix it.
public enum AdvisorError: Error, CustomStringConvertible, Equatable {
    case statStatementsMissing(enabledInServer: Bool)
    case hypoPGMissing(serverMajor: Int, available: Bool)
    case unreadablePlan
    case unreadableWorkload(String)
    case emptyWorkload

    public var description: String {
        switch self {
        case .statStatementsMissing(let enabled):
            return enabled
                ? "pg_stat_statements is not installed in this database: run CREATE EXTENSION pg_stat_statements (or use --workload FILE)"
                : "pg_stat_statements is not loaded: add shared_preload_libraries = 'pg_stat_statements' to postgresql.conf, restart PostgreSQL, then CREATE EXTENSION pg_stat_statements (or use --workload FILE)"
        case .hypoPGMissing(let major, let available):
            return available
                ? "HypoPG is not installed in this database: run CREATE EXTENSION hypopg (it only adds functions; no data is changed)"
                : "HypoPG is not available on this server: apt-get install postgresql-\(major)-hypopg, then CREATE EXTENSION hypopg"
        case .unreadablePlan:
            return "could not read the EXPLAIN output"
        case .unreadableWorkload(let why):
            return "could not read the workload: \(why)"
        case .emptyWorkload:
            return "the workload has no SELECT/INSERT/UPDATE/DELETE statements to look at"
        }
    }
}
