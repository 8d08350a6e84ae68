import Foundation

/// Reads measured load points from CSV: a load column (concurrency, or an offered rate), a throughput
/// column and optional latency columns, found by their header names.
///
/// Recognised headers (case-insensitive): concurrency / users / vus / threads / clients / connections / n;
/// rate / offered_rate / arrival_rate; throughput / tput / rps / x / requests_per_second;
/// latency_ms / mean_ms / latency (mean, milliseconds); p99_ms / p99 (milliseconds). With a rate
/// column, the mean latency is required: concurrency = throughput × mean latency (Little's law).
public enum PointsCSV {
    static let concurrencyNames = ["concurrency", "users", "vus", "threads", "clients", "connections", "n", "load"]
    static let rateNames = ["rate", "offered_rate", "arrival_rate", "offered"]
    static let throughputNames = ["throughput", "tput", "rps", "x", "requests_per_second", "req/s"]
    static let meanNames = ["latency_ms", "mean_ms", "latency", "mean", "avg_ms"]
    static let p99Names = ["p99_ms", "p99"]

    public static func parse(_ text: String, file: String) throws -> [LoadPoint] {
        let csv = try CSVLines(text: text, file: file)
        func column(_ names: [String]) -> Int? { csv.header.firstIndex { names.contains($0) } }
        let concurrency = column(concurrencyNames)
        let rate = column(rateNames)
        guard let throughput = column(throughputNames) else {
            throw InputError("\(file):1: no throughput column (name one of: \(throughputNames.joined(separator: ", ")))")
        }
        guard concurrency != nil || rate != nil else {
            throw InputError("\(file):1: no load column (concurrency: \(concurrencyNames.joined(separator: ", ")); or offered rate: \(rateNames.joined(separator: ", ")))")
        }
        let mean = column(meanNames)
        let p99 = column(p99Names)
        if concurrency == nil && mean == nil {
            throw InputError("\(file):1: a rate column needs a mean latency column (latency_ms) to convert rate to concurrency by Little's law")
        }
        var points: [LoadPoint] = []
        for row in csv.rows {
            func number(_ index: Int?, required: Bool) throws -> Double? {
                guard let index else { return nil }
                guard index < row.cells.count, !row.cells[index].isEmpty else {
                    if required { throw InputError("\(file):\(row.line): missing \(csv.header[index])") }
                    return nil
                }
                let cell = row.cells[index].replacingOccurrences(of: "_", with: "")
                guard let value = Double(cell), value.isFinite, value >= 0 else {
                    throw InputError("\(file):\(row.line): \(csv.header[index]) \"\(row.cells[index])\" is not a non-negative number")
                }
                return value
            }
            let x = try number(throughput, required: true) ?? 0
            let meanSeconds = try number(mean, required: concurrency == nil).map { $0 / 1000 }
            let p99Seconds = try number(p99, required: false).map { $0 / 1000 }
            if let concurrency, let n = try number(concurrency, required: true) {
                points.append(LoadPoint(concurrency: n, throughput: x, meanLatencySeconds: meanSeconds, p99Seconds: p99Seconds))
            } else if let meanSeconds {
                points.append(.openModel(throughput: x, meanLatencySeconds: meanSeconds, p99Seconds: p99Seconds))
            }
        }
        return points
    }
}
