import Foundation

/// Everything one examination saw, as a JSON file: attached to a ticket, or replayed by a test
/// (`Diagnosis.verdict(try EvidenceFile.read(path))` gives the same verdict without the database).
public enum EvidenceFile {
    public static func write(_ evidence: Evidence, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try encoder.encode(evidence).write(to: URL(fileURLWithPath: path))
    }

    public static func read(_ path: String) throws -> Evidence {
        try JSONDecoder().decode(Evidence.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }
}
