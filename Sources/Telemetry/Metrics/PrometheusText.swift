import Foundation

/// One page of the Prometheus text exposition format (what the store's `/metrics` serves), read
/// simply: every sample line's name, labels and value. Comments and timestamps are ignored, and a
/// line it cannot read is skipped. The one reader of the format: `surge doctor` (store causes) and
/// `surge capacity` (saturation evidence) both parse scrapes with it.
public struct PrometheusText: Sendable, Equatable {
    /// One sample line.
    public struct Sample: Sendable, Codable, Equatable {
        public var name: String
        public var labels: [String: String]
        public var value: Double

        public init(name: String, labels: [String: String] = [:], value: Double) {
            self.name = name
            self.labels = labels
            self.value = value
        }
    }

    public var samples: [Sample]

    public init(samples: [Sample]) {
        self.samples = samples
    }

    /// Parses `text`.
    public init(_ text: String) {
        samples = text.split(whereSeparator: \.isNewline).compactMap { Self.sample($0) }
    }

    /// The sum of every sample named `name` whose labels include `matching`; nil when there is none.
    public func sum(_ name: String, matching: [String: String] = [:]) -> Double? {
        let found = samples.filter { sample in
            sample.name == name && matching.allSatisfy { sample.labels[$0.key] == $0.value }
        }
        return found.isEmpty ? nil : found.reduce(0) { $0 + $1.value }
    }

    /// The distinct values of `label` among samples named `name`, sorted.
    public func labelValues(_ name: String, _ label: String) -> [String] {
        Array(Set(samples.filter { $0.name == name }.compactMap { $0.labels[label] })).sorted()
    }

    /// `name{labels} value [timestamp]` → a sample; nil for comments, blank and unreadable lines.
    static func sample(_ raw: Substring) -> Sample? {
        let line = raw.drop { $0.isWhitespace }
        guard !line.isEmpty, line.first != "#" else { return nil }
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
        let value: Double? = switch valueText {
        case "+Inf": .infinity
        case "-Inf": -.infinity
        case "NaN": .nan
        default: Double(valueText)
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
}
