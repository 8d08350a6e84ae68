import Foundation

/// Comma- (or semicolon-/tab-) separated lines with a header, as wrk, k6 or JMeter summaries are exported.
///
/// Quoted fields are unquoted; blank lines and `#` comments are skipped. Line numbers are 1-based
/// and count every line of the file, so an error points at what an editor shows.
struct CSVLines {
    var header: [String]
    var rows: [(line: Int, cells: [String])]

    init(text: String, file: String) throws {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().map { ($0.offset + 1, String($0.element)) }
        lines = lines.filter {
            let trimmed = $0.1.trimmingCharacters(in: .whitespaces)
            return !trimmed.isEmpty && !trimmed.hasPrefix("#")
        }
        guard let first = lines.first else { throw InputError("\(file): empty file (expected a header line and data)") }
        let separator: Character = first.1.contains(",") ? "," : first.1.contains(";") ? ";" : "\t"
        func cells(_ line: String) -> [String] {
            line.split(separator: separator, omittingEmptySubsequences: false).map {
                var cell = $0.trimmingCharacters(in: .whitespacesAndNewlines)
                if cell.count >= 2, cell.hasPrefix("\""), cell.hasSuffix("\"") { cell = String(cell.dropFirst().dropLast()) }
                return cell
            }
        }
        header = cells(first.1).map { $0.lowercased() }
        rows = lines.dropFirst().map { (line: $0.0, cells: cells($0.1)) }
    }
}
