import Foundation
import Yams

/// A YAML node with its path in the document, for reading values with line-numbered errors.
struct YAMLField {
    let node: Node
    let path: String
    let file: String

    var line: Int { node.mark?.line ?? 0 }

    func error(_ message: String) -> ScenarioError {
        ScenarioError(file: file, line: line, field: path, message: message)
    }

    func child(_ key: String, _ node: Node) -> YAMLField {
        YAMLField(node: node, path: path.isEmpty ? key : "\(path).\(key)", file: file)
    }

    /// The entries of a mapping; unknown keys are an error that lists the allowed ones.
    func mapping(allowed: [String]) throws(ScenarioError) -> [String: YAMLField] {
        guard case .mapping(let mapping) = node else { throw error("expected a mapping (key: value lines)") }
        var out: [String: YAMLField] = [:]
        for (keyNode, valueNode) in mapping {
            guard let key = keyNode.string else { throw error("keys must be text") }
            let field = child(key, valueNode)
            guard allowed.contains(key) else {
                throw ScenarioError(file: file, line: keyNode.mark?.line ?? line, field: field.path,
                                    message: "unknown field (allowed: \(allowed.joined(separator: ", ")))")
            }
            out[key] = field
        }
        return out
    }

    /// The entries of a mapping with free-form keys, in document order.
    func pairs() throws(ScenarioError) -> [(key: String, value: YAMLField)] {
        guard case .mapping(let mapping) = node else { throw error("expected a mapping (key: value lines)") }
        var out: [(key: String, value: YAMLField)] = []
        for (keyNode, valueNode) in mapping {
            guard let key = keyNode.string else { throw error("keys must be text") }
            out.append((key, child(key, valueNode)))
        }
        return out
    }

    func sequence() throws(ScenarioError) -> [YAMLField] {
        guard case .sequence(let sequence) = node else { throw error("expected a list (lines starting with -)") }
        return sequence.enumerated().map { YAMLField(node: $1, path: "\(path)[\($0)]", file: file) }
    }

    func string() throws(ScenarioError) -> String {
        guard case .scalar(let scalar) = node else { throw error("expected a text value") }
        return scalar.string
    }

    func int(_ range: ClosedRange<Int>) throws(ScenarioError) -> Int {
        guard let value = node.int, range.contains(value) else {
            throw error("expected a whole number in \(range.lowerBound)...\(range.upperBound), got \(describe)")
        }
        return value
    }

    func double(_ range: ClosedRange<Double>) throws(ScenarioError) -> Double {
        guard let value = node.float ?? node.int.map(Double.init), range.contains(value) else {
            throw error("expected a number in \(range.lowerBound)...\(range.upperBound), got \(describe)")
        }
        return value
    }

    func bool() throws(ScenarioError) -> Bool {
        guard let value = node.bool else { throw error("expected true or false, got \(describe)") }
        return value
    }

    /// A duration: `500ms`, `30s`, `10m`, `1h`, or a plain number of seconds.
    func durationNanos(max: Int64 = 24 * 3600 * 1_000_000_000) throws(ScenarioError) -> Int64 {
        guard case .scalar(let scalar) = node, let nanos = DurationText.nanos(scalar.string), nanos >= 0, nanos <= max else {
            throw error("expected a duration like 500ms, 30s, 10m or 1h (at most 24h), got \(describe)")
        }
        return nanos
    }

    /// A rate per second: `100`, `100/s`, `6000/m`.
    func ratePerSecond() throws(ScenarioError) -> Double {
        guard case .scalar(let scalar) = node, let rate = DurationText.rate(scalar.string), rate >= 0, rate <= 10_000_000 else {
            throw error("expected a rate like 100, 100/s or 6000/m (at most 10M/s), got \(describe)")
        }
        return rate
    }

    var describe: String {
        switch node {
        case .scalar(let scalar): "\"\(scalar.string)\""
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }
}

/// Parsing of durations and rates written as text.
public enum DurationText {
    public static func nanos(_ text: String) -> Int64? {
        let text = text.trimmingCharacters(in: .whitespaces)
        for (suffix, scale) in [("ms", 1e6), ("us", 1e3), ("s", 1e9), ("m", 60e9), ("h", 3600e9)] where text.hasSuffix(suffix) {
            guard let number = Double(text.dropLast(suffix.count)), number >= 0, number < 1e6 else { return nil }
            return Int64(number * scale)
        }
        guard let seconds = Double(text), seconds >= 0, seconds < 1e6 else { return nil }
        return Int64(seconds * 1e9)
    }

    public static func rate(_ text: String) -> Double? {
        let text = text.trimmingCharacters(in: .whitespaces)
        if text.hasSuffix("/s") { return Double(text.dropLast(2)) }
        if text.hasSuffix("/m") { return Double(text.dropLast(2)).map { $0 / 60 } }
        return Double(text)
    }
}
