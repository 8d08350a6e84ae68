import Foundation

/// A service-level objective checked against a run, e.g. `p99 < 300ms every 10s`.
///
/// Grammar: `[SCOPE] METRIC OP VALUE [every Ns]`, where SCOPE is `phase:NAME`, `journey:NAME` or
/// `step:JOURNEY/STEP`; METRIC is `pNN` (latency from intended start), `errors` (failed share of
/// attempts, drops included) or `goodput` (successes per second); OP is `<`, `<=`, `>`, `>=`;
/// VALUE takes `ms`/`s`/`us` for latency, `%` for errors, `/s` for goodput.
public struct Threshold: Sendable, Equatable, CustomStringConvertible {
    public enum Scope: Sendable, Equatable {
        case run
        case phase(String)
        case journey(String)
        case step(journey: String, step: String)
    }

    public enum Metric: Sendable, Equatable {
        case percentile(Double)
        case errorRate
        case goodput
    }

    public enum Comparison: String, Sendable {
        case less = "<"
        case lessOrEqual = "<="
        case greater = ">"
        case greaterOrEqual = ">="

        func holds(_ lhs: Double, _ rhs: Double) -> Bool {
            switch self {
            case .less: lhs < rhs
            case .lessOrEqual: lhs <= rhs
            case .greater: lhs > rhs
            case .greaterOrEqual: lhs >= rhs
            }
        }
    }

    public var scope: Scope
    public var metric: Metric
    public var comparison: Comparison
    /// Microseconds for latency, a fraction (0...1) for errors, per second for goodput.
    public var value: Double
    /// Checked in every window of this many seconds (sliding by one timeline bucket); nil: whole run.
    public var windowSeconds: Int?
    public let description: String

    /// Parses one expression; the error says what is wrong and shows an example.
    public init(parsing text: String) throws(ThresholdSyntaxError) {
        description = text.trimmingCharacters(in: .whitespaces)
        var tokens = Self.tokenize(description)
        func fail(_ why: String) -> ThresholdSyntaxError {
            ThresholdSyntaxError(message: "threshold \"\(text)\": \(why) (example: \"p99 < 300ms every 10s\", \"errors < 1%\", \"step:checkout/pay goodput >= 5/s\")")
        }
        scope = .run
        if let first = tokens.first, first.contains(":") {
            tokens.removeFirst()
            let parts = first.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[1].isEmpty else { throw fail("empty scope name") }
            switch parts[0] {
            case "phase": scope = .phase(parts[1])
            case "journey": scope = .journey(parts[1])
            case "step":
                let names = parts[1].split(separator: "/").map(String.init)
                guard names.count == 2 else { throw fail("a step scope is step:JOURNEY/STEP") }
                scope = .step(journey: names[0], step: names[1])
            default: throw fail("unknown scope `\(parts[0])` (phase:, journey: or step:)")
            }
        }
        guard tokens.count >= 3 else { throw fail("expected METRIC OP VALUE") }
        let metricText = tokens[0].lowercased()
        if metricText.hasPrefix("p"), let percentile = Double(metricText.dropFirst()), percentile > 0, percentile <= 100 {
            metric = .percentile(percentile)
        } else if metricText == "errors" || metricText == "error_rate" {
            metric = .errorRate
        } else if metricText == "goodput" {
            metric = .goodput
        } else {
            throw fail("unknown metric `\(tokens[0])` (pNN, errors or goodput)")
        }
        guard let comparison = Comparison(rawValue: tokens[1]) else { throw fail("unknown operator `\(tokens[1])`") }
        self.comparison = comparison
        let valueText = tokens[2].lowercased()
        switch metric {
        case .percentile:
            guard let micros = Self.parseLatencyMicros(valueText) else { throw fail("latency `\(tokens[2])` needs a unit: ms, s or us") }
            value = micros
        case .errorRate:
            guard valueText.hasSuffix("%"), let percent = Double(valueText.dropLast()) else { throw fail("error rate `\(tokens[2])` must be a percentage like 1%") }
            value = percent / 100
        case .goodput:
            let number = valueText.hasSuffix("/s") ? String(valueText.dropLast(2)) : valueText
            guard let perSecond = Double(number) else { throw fail("goodput `\(tokens[2])` must be a number per second like 50/s") }
            value = perSecond
        }
        windowSeconds = nil
        if tokens.count > 3 {
            let rest = tokens[3...].joined(separator: " ").lowercased()
            let words = rest.split(separator: " ").filter { $0 != "in" && $0 != "window" && $0 != "windows" }
            guard words.count == 2, words[0] == "every", words[1].hasSuffix("s"), let seconds = Int(words[1].dropLast()), seconds > 0 else {
                throw fail("trailing `\(rest)`: a window is written `every 10s`")
            }
            windowSeconds = seconds
        }
    }

    /// Splits on spaces and between a metric and an operator written together (`p99<300ms`).
    static func tokenize(_ text: String) -> [String] {
        var spaced = ""
        var previous: Character = " "
        for character in text {
            let isOperator = "<>=".contains(character)
            let wasOperator = "<>=".contains(previous)
            if isOperator != wasOperator, previous != " " { spaced.append(" ") }
            spaced.append(character)
            previous = character
        }
        return spaced.split(separator: " ").map(String.init)
    }

    static func parseLatencyMicros(_ text: String) -> Double? {
        for (suffix, scale) in [("ms", 1000.0), ("us", 1.0), ("µs", 1.0), ("s", 1_000_000.0)] where text.hasSuffix(suffix) {
            if let number = Double(text.dropLast(suffix.count)) { return number * scale }
        }
        return nil
    }

    /// Parses a comma-separated list, as given to `--slo`.
    public static func parseList(_ text: String) throws(ThresholdSyntaxError) -> [Threshold] {
        var out: [Threshold] = []
        for part in text.split(separator: ",") where !part.trimmingCharacters(in: .whitespaces).isEmpty {
            out.append(try Threshold(parsing: String(part)))
        }
        return out
    }
}

/// A threshold expression that cannot be parsed.
public struct ThresholdSyntaxError: Error, Sendable {
    public var message: String
}
