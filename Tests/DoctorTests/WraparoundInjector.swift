import Foundation
import PostgresNIO
import TestSupport
@testable import Database

/// Brings a throwaway cluster near transaction-id wraparound for real: pg_resetwal moves the next
/// transaction id, so every table frozen before is suddenly that many transactions old.
enum WraparoundInjector {
    /// pg_xact holds 2 status bits per transaction: 32,768 per 8 kB page, 32 pages per segment file.
    static let transactionsPerSegment: UInt32 = 32_768 * 32
    static let segmentBytes = 32 * 8192

    /// Stops `server` cleanly, sets its next transaction id to `xid` and starts it again.
    static func setNextTransactionID(_ server: LocalPostgres, to xid: UInt32) async throws {
        try await server.stop()
        let reset = try await server.runAsServerUser(server.binaries.path("pg_resetwal"), ["-x", "\(xid)", "-D", server.dataDirectory])
        guard reset.succeeded else { throw LocalPostgresError.commandFailed("pg_resetwal -x \(xid)", reset.output) }
        // pg_resetwal does not create the commit-status segment of the new id, and the startup
        // process reads that page ("could not access status of transaction"): a zero-filled
        // segment, as pg_resetwal's documentation says, marks its transactions as not yet run.
        let segment = server.dataDirectory + "/pg_xact/" + String(format: "%04X", xid / transactionsPerSegment)
        if !FileManager.default.fileExists(atPath: segment) {
            guard FileManager.default.createFile(atPath: segment, contents: Data(count: segmentBytes), attributes: [.posixPermissions: 0o600]) else {
                throw LocalPostgresError.commandFailed("create \(segment)", "")
            }
            if let user = try server.serverUser() { _ = chown(segment, user.uid, user.gid) }
        }
        try await server.start()
    }

    /// Restarts `server`, e.g. for a setting only a restart applies.
    static func restart(_ server: LocalPostgres) async throws {
        try await server.stop()
        try await server.start()
    }
}
