import Capacity
import Foundation
import LoadTest

/// Output shared by the `surge capacity` subcommands: the text report, JSON and HTML files.
enum CapacityOutput {
    static func write(_ report: CapacityReport, json: String?, html: String?) throws {
        print(CapacityText.render(report))
        if let json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            try LoadOutput.writeFile(json, try encoder.encode(report))
            print("wrote \(json)")
        }
        if let html {
            try LoadOutput.writeFile(html, Data(CapacityHTML.render(report).utf8))
            print("wrote \(html)")
        }
    }

    /// "500ms", "0.3s" → seconds.
    static func seconds(_ text: String, flag: String) throws -> Double {
        guard let nanos = LoadTest.DurationText.nanos(text), nanos > 0 else { throw UsageError("\(flag) must be a duration like 300ms or 1s") }
        return Double(nanos) / 1e9
    }

    /// "5x" (a multiple of the measured peak) or "2000" (req/s): (multiplier, absolute).
    static func peak(_ text: String?) throws -> (multiplier: Double?, absolute: Double?) {
        guard let text else { return (nil, nil) }
        if text.lowercased().hasSuffix("x"), let multiple = Double(text.dropLast()), multiple > 0 { return (multiple, nil) }
        if let absolute = Double(text), absolute > 0 { return (nil, absolute) }
        throw UsageError("--peak must be a multiple like 5x or a rate in req/s like 2000, got \"\(text)\"")
    }

    static func readText(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw UsageError("cannot read \(path)")
        }
        return text
    }
}
