import ArgumentParser
import Database
import Foundation
import Logging
import Storefront

/// Shared CLI plumbing: one logger, and one place that turns failures into a one-line message and exit code.
enum CLI {
    static let logger: Logger = {
        var logger = Logger(label: "surge")
        logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        return logger
    }()

    /// Runs `body`; a user-fixable error prints one line to standard error and exits 2.
    static func run(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as LocalPostgresError {
            fail(error.description)
        } catch let error as DatabaseURLError {
            fail(error.description)
        } catch let error as StoreAssemblyError {
            fail(error.description)
        } catch let error as TransactionPoolerError {
            fail(error.description)
        } catch let error as UsageError {
            fail(error.message)
        } catch {
            // PostgreSQL's own message, SQLSTATE and what to do, never PSQLError's generic description.
            guard let message = DatabaseErrorMessage.describe(error) else { throw error }
            fail(message)
        }
    }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data(("surge: " + message + "\n").utf8))
        exit(2)
    }
}

/// A mistake the user can fix; the message says how.
struct UsageError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}
