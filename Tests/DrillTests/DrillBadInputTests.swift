import Database
import Foundation
import Logging
import Testing
@testable import Drill

/// What a drill refuses before it starts anything, and the small parsers it relies on.
@Suite struct DrillBadInputTests {
    static let nowhere = URL(string: "http://127.0.0.1:1")!

    @Test(arguments: [
        (DrillName.slowPayment, DrillError.needsOwnStore(.slowPayment)),
        (DrillName.postgresRestart, DrillError.needsPrivateServer(.postgresRestart)),
        (DrillName.lockChain, DrillError.targetUnreachable("http://127.0.0.1:1")),
    ])
    func targetModeRefusesWhatItCannotDo(drill: DrillName, expected: DrillError) async throws {
        let options = DrillOptions(drill: drill, environment: .target(store: Self.nowhere, database: try DatabaseURL("postgres://x@127.0.0.1:1/x"), inject: false))
        await #expect(throws: expected) {
            _ = try await DrillRunner.run(options, logger: Logger(label: "test"))
        }
    }

    @Test func theDoctorsTerminateFixIsReadWithItsPid() {
        let fix = DrillRunner.terminateStatement("SELECT pg_terminate_backend(25427);  -- idle in transaction: cancelling does nothing")
        #expect(fix?.pid == 25427)
        #expect(fix?.sql == "SELECT pg_terminate_backend(25427)")
        #expect(DrillRunner.terminateStatement("CREATE INDEX CONCURRENTLY x ON t (c);") == nil)
        #expect(DrillRunner.terminateStatement("SELECT pg_terminate_backend(abc);") == nil)
    }

    @Test func aMigrationSnippetSplitsIntoItsStatements() {
        let ddl = "-- serves 10 calls\nCREATE EXTENSION IF NOT EXISTS pg_trgm;\nCREATE INDEX CONCURRENTLY a ON t (c);"
        #expect(IndexFix.statements(ddl) == ["CREATE EXTENSION IF NOT EXISTS pg_trgm", "CREATE INDEX CONCURRENTLY a ON t (c)"])
    }

    @Test func everyDrillHasASummaryAndTheRecoveryDrillExpectsNoCause() {
        for drill in DrillName.allCases { #expect(!drill.summary.isEmpty && !drill.title.isEmpty) }
        #expect(DrillName.postgresRestart.expectedCauses.isEmpty)
        #expect(DrillName.postmortem.profileBefore == .naive && DrillName.lockChain.profileBefore == .guarded)
    }
}
