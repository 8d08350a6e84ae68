import Database
import Foundation
import Logging

/// The drill's private PostgreSQL: `surge serve`'s launcher (`LocalPostgres`) on a temporary data
/// directory, with a watchdog that stops it and removes the directory if this process dies first.
struct PrivateServer: Sendable {
    let server: LocalPostgres
    let directory: String

    static func start(osUser: String, logger: Logger) async throws -> PrivateServer {
        let directory = NSTemporaryDirectory() + "surge-drill-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        // The server runs as its own OS user when surge runs as root: it must be able to enter the directory.
        _ = chmod(directory, 0o755)
        let server = try LocalPostgres(configuration: .init(dataDirectory: directory + "/data", osUser: osUser), logger: logger)
        try server.stopWhenProcessExits(removing: directory)
        do {
            try await server.start()
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
        return PrivateServer(server: server, directory: directory)
    }

    func url() throws -> DatabaseURL { try DatabaseURL(server.url()) }

    /// Stops the server and removes its directory.
    func stop() async {
        try? await server.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Fast shutdown, `downtime` of nothing, start again.
    func restart(downtime: Duration) async throws {
        try await server.stop()
        try await Task.sleep(for: downtime)
        try await server.start()
    }
}
