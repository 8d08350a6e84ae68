import ArgumentParser
import Database
import Foundation
import Logging

/// Where the database is: an explicit URL, or the private server in `--data-dir`.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .customLong("database-url"), help: "PostgreSQL URL (default: $DATABASE_URL, else a private server in --data-dir).")
    var databaseURL: String?

    @Option(help: "Data directory of the private PostgreSQL server (zero-config mode; default .surge/postgres).")
    var dataDir: String = ".surge/postgres"

    @Option(help: "OS user that runs the private PostgreSQL when surge runs as root.")
    var pgUser: String = "postgres"

    /// The URL given by flag or environment, if any.
    var explicitURL: String? {
        databaseURL ?? ProcessInfo.processInfo.environment["DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    func localServer(logger: Logger) throws -> LocalPostgres {
        try LocalPostgres(configuration: .init(dataDirectory: dataDir, osUser: pgUser), logger: logger)
    }
}
