import Foundation
import Testing
@testable import Doctor

/// Verdicts on evidence recorded from real incidents on a private PostgreSQL 15
/// (`surge doctor --record FILE`): the checks replayed without the database.
@Suite struct RecordedEvidenceTests {
    static func recorded(_ name: String) throws -> Evidence {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Recorded/\(name).json").path
        return try EvidenceFile.read(path)
    }

    @Test func blockingChainAndHotSeqScanAreBothNamedBlockingFirst() throws {
        let verdict = Diagnosis.verdict(try Self.recorded("blocking-chain-and-seq-scan"))
        #expect(verdict.findings.map(\.cause) == [.blockingChain, .missingIndex])
        #expect(verdict.findings.first?.object.contains("app \"billing-worker\"") == true)
        #expect(verdict.findings.last?.fixes.first?.hasPrefix("CREATE INDEX CONCURRENTLY drill_items_code_idx ON drill_items (code);") == true)
    }

    @Test func sortSpillIsTheOnlyCause() throws {
        let verdict = Diagnosis.verdict(try Self.recorded("temp-spill"))
        #expect(verdict.findings.map(\.cause) == [.tempSpill])
        #expect(verdict.findings.first?.object.hasPrefix("\"SELECT id FROM drill_items ORDER BY md5(sku) OFFSET $1\"") == true)
    }

    @Test func healthySurgeHasNoFaultAndSaysDemandIsAboveTheBaseline() throws {
        let verdict = Diagnosis.verdict(try Self.recorded("healthy-surge"))
        #expect(verdict.healthy)
        #expect(verdict.seen.contains { $0.hasPrefix("demand:") && $0.contains("above the baseline") })
    }

    /// The same recorded surge with stricter thresholds still has no fault: the healthy verdict does
    /// not hang on a threshold's edge.
    @Test func healthySurgeStaysHealthyWithHalvedThresholds() throws {
        var strict = Thresholds()
        strict.hotStatementShare /= 2
        strict.hotBusyBackends /= 2
        strict.tempBytes /= 2
        strict.lockWaitSeconds /= 2
        let verdict = Diagnosis.verdict(try Self.recorded("healthy-surge"), thresholds: strict)
        #expect(verdict.healthy, "\(verdict.findings.map(\.diagnosisLine))")
    }

    @Test func evidenceRoundTripsThroughItsFile() throws {
        let evidence = try Self.recorded("temp-spill")
        let path = NSTemporaryDirectory() + "doctor-evidence-\(UUID().uuidString).json"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try EvidenceFile.write(evidence, to: path)
        #expect(try EvidenceFile.read(path) == evidence)
    }
}
