/// Reads sample values from the Prometheus text exposition format (what the store's /metrics serves).
public struct PrometheusText: Sendable, Equatable {
    public struct Sample: Sendable, Equatable {
        public var name: String
        public var labels: [String: String]
        public var value: Double
    }

    public var samples: [Sample]

    public init(_ text: String) {
        samples = text.split(separator: "\n").compactMap { Self.sample(String($0)) }
    }

    /// The sum of every series named `name` whose labels include `matching`.
    public func sum(_ name: String, matching: [String: String] = [:]) -> Double? {
        let found = samples.filter { sample in
            sample.name == name && matching.allSatisfy { sample.labels[$0.key] == $0.value }
        }
        return found.isEmpty ? nil : found.reduce(0) { $0 + $1.value }
    }

    static func sample(_ line: String) -> Sample? {
        let trimmed = line.drop { $0 == " " }
        guard !trimmed.isEmpty, trimmed.first != "#" else { return nil }
        var name = Substring()
        var labels: [String: String] = [:]
        var rest: Substring
        if let brace = trimmed.firstIndex(of: "{"), let close = trimmed.lastIndex(of: "}"), brace < close {
            name = trimmed[..<brace]
            labels = parseLabels(trimmed[trimmed.index(after: brace)..<close])
            rest = trimmed[trimmed.index(after: close)...]
        } else {
            guard let space = trimmed.firstIndex(of: " ") else { return nil }
            name = trimmed[..<space]
            rest = trimmed[space...]
        }
        // Value, then an optional timestamp.
        guard let valueText = rest.split(separator: " ").first else { return nil }
        let value: Double? = switch valueText {
        case "+Inf": .infinity
        case "-Inf": -.infinity
        case "NaN": .nan
        default: Double(valueText)
        }
        guard let value else { return nil }
        return Sample(name: String(name), labels: labels, value: value)
    }

    static func parseLabels(_ text: Substring) -> [String: String] {
        var labels: [String: String] = [:]
        var index = text.startIndex
        while index < text.endIndex {
            guard let equals = text[index...].firstIndex(of: "=") else { break }
            let key = text[index..<equals].trimmingCharacters(in: [" ", ","])
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

extension Substring {
    func trimmingCharacters(in characters: Set<Character>) -> String {
        var view = self
        while let first = view.first, characters.contains(first) { view = view.dropFirst() }
        while let last = view.last, characters.contains(last) { view = view.dropLast() }
        return String(view)
    }
}
