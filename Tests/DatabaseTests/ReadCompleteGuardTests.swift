@testable import Database
import Logging
import PostgresNIO
import Synchronization
import Testing
import TestSupport

/// A connection that the server closes while a multi-row result is half read must fail that query,
/// not stop the process (PostgresNIO 1.33's row stream hits a `preconditionFailure` on the
/// "read complete" SwiftNIO fires at end of file; `ReadCompleteGuard` holds it back). Without the
/// guard this test does not fail: the test process dies with "Swift runtime failure: precondition
/// failure" in `RowStreamStateMachine.channelReadComplete`.
@Suite struct ReadCompleteGuardTests {

    @Test func aBackendKilledInTheMiddleOfAResultFailsTheQueryNotTheProcess() async throws {
        try await TestPostgres.withFreshDatabase { database, _ in
            let logger = Logger(label: "surge.tests.read-complete-guard")
            for _ in 0..<3 {
                var rowsRead = 0
                let leased = Mutex<PostgresConnection?>(nil)
                await #expect(throws: (any Error).self) {
                    try await database.withConnection { connection in
                        leased.withLock { $0 = connection.raw }
                        let pid = try await connection.query("SELECT pg_backend_pid()")[0].decode(Int32.self)
                        // Far more rows than one socket read: the consumer below reads one and then
                        // stops asking, so PostgresNIO holds the channel's reads (backpressure).
                        let rows = try await connection.raw.query(
                            "SELECT g, repeat('x', 2000) FROM generate_series(1, 200000) g", logger: logger)
                        var iterator = rows.makeAsyncIterator()
                        if try await iterator.next() != nil { rowsRead += 1 }
                        // Another connection ends this backend; its socket closes while rows wait.
                        let killed = try await database.query("SELECT pg_terminate_backend(\(pid))")[0].decode(Bool.self)
                        #expect(killed)
                        try await Task.sleep(for: .milliseconds(300))
                        while try await iterator.next() != nil { rowsRead += 1 }
                    }
                }
                #expect(rowsRead >= 1 && rowsRead < 200_000)
                // Once the dead connection is closed, the pool no longer hands it out.
                try await leased.withLock { $0 }?.closeFuture.get()
                // The pool replaced the connection: the next statement works.
                let answer = try await database.query("SELECT 41 + 1")[0].decode(Int.self)
                #expect(answer == 42)
            }
            // The guard was in the pipeline of the connections that were leased.
            #expect(database.guardedConnectionCount > 0)
        }
    }
}
