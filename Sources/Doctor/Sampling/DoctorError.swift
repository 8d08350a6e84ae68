import Database
import PostgresNIO

/// Why the doctor could not examine the database at all; each message says how to fix it.
public enum DoctorError: Error, CustomStringConvertible, Equatable {
    /// No TCP connection (refused, no route, timeout).
    case unreachable(host: String, port: Int, reason: String)
    /// The server refused: wrong password, no such database, pg_hba, too many connections…
    case refused(message: String, sqlState: String)
    /// The whole examination took longer than it may.
    case timedOut(seconds: Int)
    case storeMetrics(String)

    public var description: String {
        switch self {
        case .unreachable(let host, let port, let reason):
            return "cannot reach PostgreSQL at \(host):\(port): \(reason): check the host and port in the URL, that PostgreSQL is running and listens there (listen_addresses, port), and any firewall"
        case .refused(let message, let sqlState):
            return "PostgreSQL refused: \(message) (SQLSTATE \(sqlState)): \(Self.remedy(sqlState))"
        case .timedOut(let seconds):
            return "the database did not answer within \(seconds) s: it may be overloaded or the network is dropping packets; try again with a longer --window or from closer to the server"
        case .storeMetrics(let why):
            return "cannot read the store's metrics: \(why): check --store-metrics (e.g. http://store:8080/metrics)"
        }
    }

    static func remedy(_ sqlState: String) -> String {
        switch sqlState {
        case "28P01": "check the user and password in the URL (postgres://user:password@host:port/database)"
        case "28000": "no pg_hba.conf line lets this user connect from here: add one and run SELECT pg_reload_conf()"
        case "3D000": "check the database name at the end of the URL (psql -l lists them)"
        case "53300": "the server has no free connection: that is itself the incident (connection exhaustion); connect as a superuser to use a reserved slot and run the doctor again"
        case "57P03": "the server is starting up, shutting down or in recovery: wait and retry"
        case "42501": "grant the role the monitoring privileges: GRANT pg_monitor TO <user>;"
        default: "see the PostgreSQL message"
        }
    }

    /// A connection failure as one of the cases above (other errors are returned as they are).
    static func translate(_ error: any Error, host: String, port: Int) -> any Error {
        guard let error = error as? PSQLError else { return error }
        if let state = error.serverInfo?[.sqlState] {
            return DoctorError.refused(message: error.serverInfo?[.message] ?? "no message", sqlState: state)
        }
        if error.code == .connectionError || error.code == .serverClosedConnection || error.code == .uncleanShutdown {
            let reason = error.underlying.map { String(describing: $0) } ?? "connection failed"
            return DoctorError.unreachable(host: host, port: port, reason: readable(reason))
        }
        return error
    }

    /// NIO's connection errors say `connection reset (error set): Connection refused (errno: 111)`: keep the words a person needs.
    static func readable(_ reason: String) -> String {
        let lowered = reason.lowercased()
        if lowered.contains("refused") { return "connection refused" }
        if lowered.contains("timeout") || lowered.contains("timed out") { return "no answer (connect timeout)" }
        if lowered.contains("no route") { return "no route to host" }
        if lowered.contains("resolve") || lowered.contains("name") && lowered.contains("unknown") { return "host name does not resolve" }
        return reason
    }
}

/// A statement the doctor could not run, as one line: PostgreSQL's message and SQLSTATE.
func describeFailure(_ error: any Error) -> String {
    if let error = error as? PSQLError, let info = error.serverInfo {
        return "\(info[.message] ?? "error") (SQLSTATE \(info[.sqlState] ?? "?"))"
    }
    return String(describing: error)
}
