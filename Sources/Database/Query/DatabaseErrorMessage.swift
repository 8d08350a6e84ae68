import PostgresNIO

/// One line a person can act on for an error from PostgreSQL or the connection to it: PostgreSQL's
/// own message and SQLSTATE (PSQLError's `description` hides both behind "Generic description to
/// prevent accidental leakage of sensitive data"), its detail and hint, and what to do.
public enum DatabaseErrorMessage {
    /// The message for `error`, or `nil` when it is not a database error.
    public static func describe(_ error: any Error) -> String? {
        switch error {
        case let error as PSQLError: describe(error)
        case let error as PipelineServerError: "PostgreSQL: \(error.message) (SQLSTATE \(error.sqlState)). \(advice(sqlState: error.sqlState))"
        default: nil
        }
    }

    static func describe(_ error: PSQLError) -> String {
        if let info = error.serverInfo {
            let state = info[.sqlState] ?? "?????"
            var text = "PostgreSQL: \(info[.message] ?? "an error") (SQLSTATE \(state))"
            if let detail = info[.detail] { text += "; \(detail)" }
            if let hint = info[.hint] { text += "; hint: \(hint)" }
            return text + ". " + advice(sqlState: state)
        }
        let underlying = error.underlying.map { ": \(String(describing: $0))" } ?? ""
        switch error.code {
        case .connectionError, .serverClosedConnection, .uncleanShutdown:
            return "the connection to PostgreSQL failed (\(error.code))\(underlying). Check that the server is running and accepts "
                + "connections at the address in --database-url / DATABASE_URL (for the private server: `surge db status`)."
        case .sslUnsupported, .failedToAddSSLHandler:
            return "PostgreSQL does not offer TLS (\(error.code))\(underlying): drop sslmode=require from the URL or enable ssl on the server."
        case .authMechanismRequiresPassword, .unsupportedAuthMechanism, .saslError:
            return "PostgreSQL authentication failed (\(error.code))\(underlying): check the user and password in --database-url / DATABASE_URL."
        case .clientClosedConnection, .poolClosed:
            return "the store closed its database connections while a statement was still running (\(error.code)); this happens during shutdown."
        default:
            return "PostgreSQL client error (\(error.code))\(underlying). Run again with LOG_LEVEL=debug and see the server log."
        }
    }

    /// What to do about a statement PostgreSQL refused, by SQLSTATE (or its class).
    static func advice(sqlState: String) -> String {
        switch sqlState {
        case "57P03": return "The server is still starting up: retry in a moment."
        case "57P01", "57P02": return "The server is shutting down or restarting: start it again (`surge db start`) and retry."
        case "53300": return "Too many connections: lower --pool-size or --instances, or raise max_connections."
        case "3D000": return "The database does not exist: create it (createdb NAME) or fix the name in the URL."
        case "42P01", "42703": return "The schema is older than this program: run `surge migrate`."
        case "58P01": return "A server file is missing (an extension not installed?): install postgresql-contrib for this PostgreSQL version."
        case "55P03", "40P01", "40001": return "Another session held a lock the statement needed: retry."
        case "57014": return "The statement ran out of time (statement_timeout): retry, or raise the timeout."
        default: break
        }
        switch sqlState.prefix(2) {
        case "28": return "Check the user and password in --database-url / DATABASE_URL."
        case "42": return "Check that the role in the URL owns the schema (or is a superuser) and the schema is migrated (`surge migrate`)."
        case "53": return "The server is out of a resource (disk, memory or connections): see its log."
        case "08": return "Check that PostgreSQL is running and reachable."
        default: return "See the PostgreSQL server log for more."
        }
    }
}
