import Foundation
import PostgresNIO

/// A parsed `postgres://user:password@host:port/database?sslmode=…&application_name=…` URL.
public struct DatabaseURL: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    public var requireTLS: Bool
    public var applicationName: String?
    /// `?pgbouncer=true` (or `false`): whether the URL names a transaction pooler; `nil` when unsaid.
    public var transactionPooler: Bool?

    public init(_ string: String) throws {
        guard let components = URLComponents(string: string),
              let scheme = components.scheme, scheme == "postgres" || scheme == "postgresql" else {
            throw DatabaseURLError.invalid(string)
        }
        guard let host = components.host, !host.isEmpty else { throw DatabaseURLError.invalid(string) }
        self.host = host
        self.port = components.port ?? 5432
        self.user = components.user.flatMap { $0.removingPercentEncoding } ?? "postgres"
        self.password = components.password.flatMap { $0.removingPercentEncoding }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        self.database = path.isEmpty ? self.user : path
        let query = Dictionary((components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
        self.requireTLS = ["require", "verify-ca", "verify-full"].contains(query["sslmode"] ?? "")
        self.applicationName = query["application_name"]
        self.transactionPooler = query["pgbouncer"].flatMap { ["true": true, "1": true, "false": false, "0": false][$0.lowercased()] }
    }

    /// The URL with the password masked, for logs and output.
    public var description: String {
        "postgres://\(user)\(password == nil ? "" : ":***")@\(host):\(port)/\(database)"
    }

    /// The same server, another database.
    public func with(database: String) -> DatabaseURL {
        var copy = self
        copy.database = database
        return copy
    }

    /// The URL as a string, password included (for handing to other tools).
    public var connectionString: String {
        let encodedUser = user.addingPercentEncoding(withAllowedCharacters: .urlUserAllowed) ?? user
        let encodedPassword = password.map { ":" + ($0.addingPercentEncoding(withAllowedCharacters: .urlPasswordAllowed) ?? $0) } ?? ""
        return "postgres://\(encodedUser)\(encodedPassword)@\(host):\(port)/\(database)"
    }

    /// A PostgresNIO client configuration with the given server-side settings sent at connection start.
    public func clientConfiguration(settings: SessionSettings = .init()) -> PostgresClient.Configuration {
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: user, password: password, database: database,
            tls: requireTLS ? .require(.makeClientConfiguration()) : .disable
        )
        configuration.options.additionalStartupParameters = settings.startupParameters(applicationName: applicationName ?? "surge")
        return configuration
    }
}

/// Why a database URL was refused.
public enum DatabaseURLError: Error, CustomStringConvertible {
    case invalid(String)

    public var description: String {
        switch self {
        case .invalid:
            return "invalid database URL: expected postgres://user:password@host:port/database"
        }
    }
}

/// Server-side timeouts sent with every new connection, so no statement is ever unbounded.
public struct SessionSettings: Sendable, Equatable {
    /// `statement_timeout`: the longest any statement may run; `nil` leaves the server default (the naive profile).
    public var statementTimeout: Duration?
    /// `lock_timeout`: the longest a statement waits for a row or table lock.
    public var lockTimeout: Duration?
    /// `idle_in_transaction_session_timeout`: a transaction left open is ended by the server.
    public var idleInTransactionTimeout: Duration?

    public init(
        statementTimeout: Duration? = .seconds(5),
        lockTimeout: Duration? = .seconds(2),
        idleInTransactionTimeout: Duration? = .seconds(10)
    ) {
        self.statementTimeout = statementTimeout
        self.lockTimeout = lockTimeout
        self.idleInTransactionTimeout = idleInTransactionTimeout
    }

    /// No timeouts at all: the incident's configuration.
    public static let unbounded = SessionSettings(statementTimeout: nil, lockTimeout: nil, idleInTransactionTimeout: nil)

    func startupParameters(applicationName: String) -> [(String, String)] {
        var parameters = [("application_name", applicationName)]
        if let statementTimeout { parameters.append(("statement_timeout", "\(statementTimeout.milliseconds)")) }
        if let lockTimeout { parameters.append(("lock_timeout", "\(lockTimeout.milliseconds)")) }
        if let idleInTransactionTimeout {
            parameters.append(("idle_in_transaction_session_timeout", "\(idleInTransactionTimeout.milliseconds)"))
        }
        return parameters
    }
}

extension Duration {
    /// Whole milliseconds, rounded up so a positive duration never becomes 0 ("no timeout" to PostgreSQL).
    public var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        let ms = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        return attoseconds % 1_000_000_000_000_000 > 0 ? ms + 1 : ms
    }
}
