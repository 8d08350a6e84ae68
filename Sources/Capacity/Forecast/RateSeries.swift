import Foundation

/// A time series of request rates: (Unix seconds, requests per second), sorted by time.
public struct RateSeries: Sendable, Equatable {
    public var samples: [(time: Double, value: Double)]

    public init(samples: [(time: Double, value: Double)]) {
        self.samples = samples.sorted { $0.time < $1.time }
    }

    public static func == (lhs: RateSeries, rhs: RateSeries) -> Bool {
        lhs.samples.count == rhs.samples.count && zip(lhs.samples, rhs.samples).allSatisfy { $0.time == $1.time && $0.value == $1.value }
    }

    /// Steps that divide a day evenly; a series is averaged onto the smallest one at or above its own spacing.
    static let steps: [Double] = [60, 300, 600, 900, 1800, 3600]

    /// The series on an even grid (mean per bucket, gaps filled by linear interpolation), and its step in seconds.
    public func regular() -> (values: [Double], start: Double, stepSeconds: Double) {
        guard let first = samples.first, let last = samples.last, samples.count > 1 else {
            return (samples.map(\.value), samples.first?.time ?? 0, 3600)
        }
        let gaps = zip(samples.dropFirst(), samples).map { $0.time - $1.time }.filter { $0 > 0 }.sorted()
        let spacing = gaps.isEmpty ? 3600 : gaps[gaps.count / 2]
        let step = Self.steps.first { $0 >= spacing * 0.999 } ?? 3600
        let start = (first.time / step).rounded(.down) * step
        let count = Int(((last.time - start) / step).rounded(.down)) + 1
        var sums = [Double](repeating: 0, count: count), counts = [Int](repeating: 0, count: count)
        for sample in samples {
            let index = min(count - 1, Int((sample.time - start) / step))
            sums[index] += sample.value
            counts[index] += 1
        }
        var values = [Double?](repeating: nil, count: count)
        for index in 0..<count where counts[index] > 0 { values[index] = sums[index] / Double(counts[index]) }
        var filled = [Double](repeating: 0, count: count)
        var previous: Int?
        for index in 0..<count {
            if let value = values[index] {
                if let previous, index - previous > 1, let before = values[previous] {
                    for gap in (previous + 1)..<index {
                        filled[gap] = before + (value - before) * Double(gap - previous) / Double(index - previous)
                    }
                }
                filled[index] = value
                previous = index
            }
        }
        return (filled, start, step)
    }

    /// Reads CSV (`timestamp` as Unix seconds or ISO 8601, and a rate column) or a Prometheus range-query
    /// JSON (`{"data":{"result":[{"values":[[ts,"v"],…]}]}}`; several series are summed).
    public static func parse(_ text: String, file: String) throws -> RateSeries {
        let trimmed = text.drop { $0.isWhitespace }
        if trimmed.first == "{" { return try parsePrometheus(Data(text.utf8), file: file) }
        let csv = try CSVLines(text: text, file: file)
        guard let timeColumn = csv.header.firstIndex(where: { ["timestamp", "time", "ts", "date"].contains($0) }) else {
            throw InputError("\(file):1: no timestamp column (name it timestamp)")
        }
        let valueNames = ["requests_per_second", "rate", "rps", "req/s", "value", "throughput"]
        guard let valueColumn = csv.header.firstIndex(where: { valueNames.contains($0) }) else {
            throw InputError("\(file):1: no rate column (name one of: \(valueNames.joined(separator: ", ")))")
        }
        let iso = ISO8601DateFormatter()
        var samples: [(time: Double, value: Double)] = []
        for row in csv.rows {
            guard row.cells.count > max(timeColumn, valueColumn) else { throw InputError("\(file):\(row.line): expected \(csv.header.count) columns") }
            let timeText = row.cells[timeColumn]
            guard let time = Double(timeText) ?? iso.date(from: timeText)?.timeIntervalSince1970 else {
                throw InputError("\(file):\(row.line): timestamp \"\(timeText)\" is neither Unix seconds nor ISO 8601")
            }
            guard let value = Double(row.cells[valueColumn]), value.isFinite, value >= 0 else {
                throw InputError("\(file):\(row.line): rate \"\(row.cells[valueColumn])\" is not a non-negative number")
            }
            samples.append((time, value))
        }
        return RateSeries(samples: samples)
    }

    struct PrometheusResponse: Decodable {
        struct Payload: Decodable { var result: [Series] }
        struct Series: Decodable { var values: [[Scalar]] }
        /// Prometheus writes a sample as [unixSeconds (number), "value" (string)].
        enum Scalar: Decodable {
            case number(Double), text(String)
            init(from decoder: any Decoder) throws {
                let container = try decoder.singleValueContainer()
                if let number = try? container.decode(Double.self) { self = .number(number) } else { self = .text(try container.decode(String.self)) }
            }
            var value: Double? {
                switch self {
                case .number(let number): number
                case .text(let text): Double(text)
                }
            }
        }
        var data: Payload
    }

    static func parsePrometheus(_ data: Data, file: String) throws -> RateSeries {
        let response: PrometheusResponse
        do {
            response = try JSONDecoder().decode(PrometheusResponse.self, from: data)
        } catch {
            throw InputError("\(file): not a Prometheus range-query response ({\"data\":{\"result\":[{\"values\":[[ts,\"v\"],…]}]}})")
        }
        var byTime: [Double: Double] = [:]
        for series in response.data.result {
            for pair in series.values {
                guard pair.count == 2, let time = pair[0].value, let value = pair[1].value, value.isFinite else {
                    throw InputError("\(file): a sample is not [unix_seconds, \"value\"]")
                }
                byTime[time, default: 0] += value
            }
        }
        return RateSeries(samples: byTime.map { (time: $0.key, value: $0.value) })
    }
}
