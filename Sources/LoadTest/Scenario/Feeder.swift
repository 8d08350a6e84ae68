import Foundation
import Reproducible

/// A source of variable values for journey iterations.
public struct Feeder: Sendable {
    public enum Source: Sendable {
        /// Integers `from...to`, bound to a variable named after the feeder.
        case range(ClosedRange<Int>)
        /// Rows (CSV lines or JSON objects); each column is a variable.
        case records([[String: TemplateValue]])
    }

    public enum Pick: Sendable, Equatable {
        case sequential
        case uniform
        /// Rank `k` (1-based) is drawn with weight `1 / k^exponent`: a few hot items, a long tail.
        case zipf(exponent: Double)
    }

    public let name: String
    public let source: Source
    public let pick: Pick
    public let seed: UInt64
    /// Cumulative Zipf weights, normalised to 1 (empty unless `pick` is `.zipf`).
    let zipfCDF: [Double]

    public static let maxZipfItems = 2_000_000

    public init(name: String, source: Source, pick: Pick, seed: UInt64) {
        self.name = name
        self.source = source
        self.pick = pick
        self.seed = seed
        if case .zipf(let exponent) = pick {
            var cdf = [Double](repeating: 0, count: min(Self.count(source), Self.maxZipfItems))
            var total = 0.0
            for rank in cdf.indices {
                total += 1 / pow(Double(rank + 1), exponent)
                cdf[rank] = total
            }
            zipfCDF = cdf.map { $0 / total }
        } else {
            zipfCDF = []
        }
    }

    static func count(_ source: Source) -> Int {
        switch source {
        case .range(let range): range.count
        case .records(let rows): rows.count
        }
    }

    public var count: Int { Self.count(source) }

    /// The variables this feeder defines.
    public var variableNames: Set<String> {
        switch source {
        case .range: [name]
        case .records(let rows): Set(rows.first.map { Array($0.keys) } ?? [])
        }
    }

    /// Picks the item index for the next draw.
    func nextIndex(_ cursor: inout FeederCursor) -> Int {
        let count = self.count
        guard count > 0 else { return 0 }
        switch pick {
        case .sequential:
            defer { cursor.position += cursor.stride }
            return cursor.position % count
        case .uniform:
            return Int(cursor.random.next() % UInt64(count))
        case .zipf:
            let u = cursor.random.unitInterval()
            var low = 0
            var high = zipfCDF.count - 1
            while low < high {
                let mid = (low + high) / 2
                if zipfCDF[mid] < u { low = mid + 1 } else { high = mid }
            }
            return low
        }
    }

    /// Draws the next item into `variables`.
    func draw(_ cursor: inout FeederCursor, into variables: inout Variables) {
        let index = nextIndex(&cursor)
        switch source {
        case .range(let range):
            variables.values[name] = .raw(String(range.lowerBound + index))
        case .records(let rows):
            guard index < rows.count else { return }
            for (key, value) in rows[index] { variables.values[key] = value }
        }
    }
}

/// One worker's position in a feeder (sequential index and random state).
struct FeederCursor: Sendable {
    var position: Int
    var stride: Int
    var random: SplitMix64
}

/// Reads feeder files.
enum FeederFile {
    /// CSV with a header row; fields may be double-quoted (with `""` for a quote).
    static func parseCSV(_ text: String) -> [[String: TemplateValue]] {
        var rows: [[String]] = []
        var field = ""
        var row: [String] = []
        var quoted = false
        var iterator = Array(text.unicodeScalars).makeIterator()
        var pendingQuote = false
        while let c = iterator.next() {
            if quoted {
                if pendingQuote {
                    pendingQuote = false
                    if c == "\"" { field.unicodeScalars.append(c); continue }
                    quoted = false
                } else if c == "\"" {
                    pendingQuote = true
                    continue
                } else {
                    field.unicodeScalars.append(c)
                    continue
                }
            }
            switch c {
            case "\"" where field.isEmpty: quoted = true
            case ",": row.append(field); field = ""
            case "\n":
                row.append(field); field = ""
                if !(row.count == 1 && row[0].isEmpty) { rows.append(row) }
                row = []
            case "\r": break
            default: field.unicodeScalars.append(c)
            }
        }
        if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
        guard let header = rows.first else { return [] }
        return rows.dropFirst().map { values in
            var record: [String: TemplateValue] = [:]
            for (index, column) in header.enumerated() {
                record[column.trimmingCharacters(in: .whitespaces)] = .string(index < values.count ? values[index] : "")
            }
            return record
        }
    }

    /// A JSON array of objects.
    static func parseJSON(_ data: Data) -> [[String: TemplateValue]]? {
        guard let array = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]] else { return nil }
        return array.map { object in object.mapValues(JSONPath.templateValue) }
    }
}
