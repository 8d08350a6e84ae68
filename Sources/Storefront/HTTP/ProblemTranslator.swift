import Database
import Guard
import Hummingbird
import Logging
import PostgresNIO

/// The one place that turns any error into `application/problem+json`: the framework's own errors
/// (no route, body too large) get stable codes, database overload and deadlines become 503 with
/// `Retry-After`, and anything unexpected is logged and answered as a 500 without internals. Both
/// lanes of `RequestLifecycle` answer their errors through it.
enum ProblemTranslator {
    /// The answer for a statement the server refused for time or capacity, by SQLSTATE.
    static func serverRefusal(_ sqlState: String?) -> Problem? {
        switch sqlState {
        case "57014": .unavailable("deadline_exceeded", "the request ran out of time: retry later")
        case "55P03", "40P01", "40001": .unavailable("busy", "the store is busy with this item: retry shortly")
        case "53300": .unavailable("overloaded", "the database has no free connections: retry shortly")
        default: nil
        }
    }

    /// SQLSTATEs of a value PostgreSQL refused to hold: 22021 character_not_in_repertoire (NUL),
    /// 22P05 untranslatable_character, 22001 string_data_right_truncation, 22003
    /// numeric_value_out_of_range, 22P02 invalid_text_representation.
    static var clientValueStates: Set<String> { ["22021", "22P05", "22001", "22003", "22P02"] }

    static func translate(_ error: any Error, logger: Logger) -> Problem {
        // From the pool or the pipeline alike (none of these states is a connection failure).
        let sqlState = serverSQLState(error)
        if let answer = serverRefusal(sqlState) { return answer }
        // A value PostgreSQL cannot hold (NUL in text, a character the encoding lacks, a string or number
        // too large, text that is not a number) came from the client: its mistake, never a 500.
        // `RequestContract` should have refused it first, so it is logged as the gap it is. Other data
        // exceptions (division by zero, 22012) are the store's bugs and stay 500s.
        if let sqlState, Self.clientValueStates.contains(sqlState) {
            logger.error("a client value reached PostgreSQL unchecked", metadata: ["sqlstate": "\(sqlState)", "error": "\(String(reflecting: error))"])
            return .validation("a value in the request is not one the store can hold (PostgreSQL SQLSTATE \(sqlState))")
        }
        switch error {
        case let error as Problem:
            return error
        case let error as StoreError:
            return Problem(error)
        case let error as HTTPError:
            switch error.status {
            case .notFound: return .notFound("no such resource: see /openapi.json for the API")
            case .methodNotAllowed: return Problem("method_not_allowed", .methodNotAllowed, "this method is not allowed on this resource")
            case .contentTooLarge: return Problem("payload_too_large", .contentTooLarge, "request body is too large")
            default:
                if error.status.code < 500 { return Problem("bad_request", error.status, error.body ?? "bad request") }
            }
        case is DatabaseUnavailable:
            return .unavailable("database_unavailable", "the database is unreachable: retry shortly")
        case let error where CircuitBreaker.isConnectionFailure(error):
            return .unavailable("database_unavailable", "the database is unreachable: retry shortly")
        case let error as PSQLError where error.code == .clientClosedConnection || error.code == .poolClosed:
            return .unavailable("database_unavailable", "the database connection was closed: retry shortly")
        case is PoolOverloaded, is Overloaded:
            return .unavailable("overloaded", "the store is at capacity: retry shortly")
        case is DeadlineExceeded:
            return .unavailable("deadline_exceeded", "the request ran out of time: retry later")
        case is CancellationError:
            return .unavailable("deadline_exceeded", "the request was cancelled")
        default:
            break
        }
        logger.error("unhandled error", metadata: ["error": "\(String(reflecting: error))"])
        return Problem("internal_error", .internalServerError, "an unexpected error occurred; it has been logged")
    }
}
