import Foundation

/// One scrape of the store's `/metrics` (Prometheus text format), parsed simply: every sample
/// line's name, labels and value. Comments and timestamps are ignored.
public struct StoreMetrics: Sendable, Codable, Equatable {
    public struct Sample: Sendable, Codable, Equatable {
        public var name: String
        public var labels: [String: String]
        public var value: Double
    }

    public var samples: [Sample]
    /// Seconds since the window started when the scrape was answered (the store's own interval).
    public var at: Double = 0

    public init(samples: [Sample], at: Double = 0) {
        self.samples = samples
        self.at = at
    }

    /// Parses the text exposition format; lines it cannot read are skipped.
    public init(text: String) {
        var samples: [Sample] = []
        for raw in text.split(whereSeparator: \.isNewline) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty, !line.hasPrefix("#") else { continue }
            if let sample = Self.parse(Substring(line)) { samples.append(sample) }
        }
        self.samples = samples
    }

    static func parse(_ line: Substring) -> Sample? {
        var labels: [String: String] = [:]
        let name: Substring
        let rest: Substring
        if let open = line.firstIndex(of: "{") {
            name = line[..<open]
            guard let close = line.lastIndex(of: "}"), close > open else { return nil }
            labels = parseLabels(line[line.index(after: open)..<close])
            rest = line[line.index(after: close)...]
        } else {
            guard let space = line.firstIndex(where: \.isWhitespace) else { return nil }
            name = line[..<space]
            rest = line[space...]
        }
        guard let valueText = rest.split(whereSeparator: \.isWhitespace).first else { return nil }
        let value: Double?
        switch valueText {
        case "+Inf": value = .infinity
        case "-Inf": value = -.infinity
        case "NaN": value = .nan
        default: value = Double(valueText)
        }
        guard let value, !name.isEmpty else { return nil }
        return Sample(name: String(name), labels: labels, value: value)
    }

    /// `a="x",b="y \"q\""` → ["a": "x", "b": "y \"q\""].
    static func parseLabels(_ text: Substring) -> [String: String] {
        var labels: [String: String] = [:]
        var index = text.startIndex
        while index < text.endIndex {
            guard let equals = text[index...].firstIndex(of: "=") else { break }
            let key = text[index..<equals].trimmingCharacters(in: CharacterSet(charactersIn: " ,"))
            var cursor = text.index(after: equals)
            guard cursor < text.endIndex, text[cursor] == "\"" else { break }
            cursor = text.index(after: cursor)
            var value = ""
            while cursor < text.endIndex, text[cursor] != "\"" {
                if text[cursor] == "\\", text.index(after: cursor) < text.endIndex {
                    cursor = text.index(after: cursor)
                    value.append(text[cursor] == "n" ? "\n" : text[cursor])
                } else {
                    value.append(text[cursor])
                }
                cursor = text.index(after: cursor)
            }
            labels[key] = value
            index = cursor < text.endIndex ? text.index(after: cursor) : cursor
        }
        return labels
    }

    /// The sum of every sample named `name` whose labels include `matching`.
    public func sum(_ name: String, _ matching: [String: String] = [:]) -> Double? {
        let values = samples.filter { sample in
            sample.name == name && matching.allSatisfy { sample.labels[$0.key] == $0.value }
        }.map(\.value)
        return values.isEmpty ? nil : values.reduce(0, +)
    }

    /// Distinct values of `label` among samples named `name`.
    public func labelValues(_ name: String, _ label: String) -> [String] {
        Array(Set(samples.filter { $0.name == name }.compactMap { $0.labels[label] })).sorted()
    }
}
