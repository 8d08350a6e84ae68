import Database
import Foundation
import Logging

extension TestPostgres {
    /// Settings every throwaway server takes: tests need no durability.
    public static let throwawaySettings = ["fsync = off", "synchronous_commit = off", "full_page_writes = off"]

    /// Runs `body` with a private PostgreSQL of its own on a temporary directory (for tests that stop,
    /// restart or reconfigure a server, which the shared one must not be), stopped and removed afterwards.
    public static func withPrivateServer<T: Sendable>(
        named name: String,
        databaseName: String = "surge",
        extraSettings: [String] = [],
        logger: Logger,
        _ body: (LocalPostgres) async throws -> T
    ) async throws -> T {
        let directory = NSTemporaryDirectory() + "surge-\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        _ = chmod(directory, 0o755)
        let server = try LocalPostgres(
            configuration: .init(dataDirectory: directory + "/data", port: try LocalPostgres.pickPort(), databaseName: databaseName,
                                 extraSettings: throwawaySettings + extraSettings),
            logger: logger)
        try await server.start()
        try server.stopWhenProcessExits(removing: directory)
        let result: T
        do {
            result = try await body(server)
        } catch {
            try? await server.stop()
            throw error
        }
        try await server.stop()
        try? FileManager.default.removeItem(atPath: directory)
        return result
    }
}
