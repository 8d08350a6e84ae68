import Foundation

/// A variable's value: text, or raw JSON (a number or boolean) that a JSON body inserts unquoted.
public enum TemplateValue: Sendable, Equatable {
    case string(String)
    case raw(String)

    public var text: String {
        switch self {
        case .string(let text), .raw(let text): text
        }
    }

    /// The value as JSON text: raw values as they are, strings quoted and escaped.
    var json: String {
        switch self {
        case .raw(let text): text
        case .string(let text): JSONText.quote(text)
        }
    }
}

/// The variables of one journey iteration: feeder values, extracted values and built-ins.
public struct Variables: Sendable {
    public var values: [String: TemplateValue] = [:]
    public var iteration: Int = 0

    public init(values: [String: TemplateValue] = [:], iteration: Int = 0) {
        self.values = values
        self.iteration = iteration
    }

    /// The value of `name`; `uuid` is a fresh UUID at each use, `iteration` the arrival number.
    public func value(_ name: String) -> TemplateValue {
        if let value = values[name] { return value }
        switch name {
        case "uuid": return .string(UUID().uuidString.lowercased())
        case "iteration": return .raw(String(iteration))
        default: return .string("")
        }
    }
}

/// Text with `${name}` placeholders, parsed once.
public struct Template: Sendable, Equatable {
    enum Part: Sendable, Equatable {
        case literal(String)
        case variable(String)
    }

    let parts: [Part]

    /// Names that need no declaration.
    public static let builtins: Set<String> = ["uuid", "iteration"]

    /// Parses `text`; the error message says what is wrong with a placeholder.
    public init(parsing text: String) throws(TemplateSyntaxError) {
        var parts: [Part] = []
        var rest = Substring(text)
        while let open = rest.range(of: "${") {
            if open.lowerBound > rest.startIndex { parts.append(.literal(String(rest[..<open.lowerBound]))) }
            guard let close = rest[open.upperBound...].firstIndex(of: "}") else {
                throw TemplateSyntaxError(message: "unclosed `${` in \"\(text)\"")
            }
            let name = String(rest[open.upperBound..<close])
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                throw TemplateSyntaxError(message: "bad variable name `\(name)` in \"\(text)\" (use letters, digits, _)")
            }
            parts.append(.variable(name))
            rest = rest[rest.index(after: close)...]
        }
        if !rest.isEmpty { parts.append(.literal(String(rest))) }
        self.parts = parts
    }

    public var isConstant: Bool { !parts.contains { if case .variable = $0 { true } else { false } } }

    public var variableNames: [String] {
        parts.compactMap { if case .variable(let name) = $0 { name } else { nil } }
    }

    /// When the whole template is one placeholder, its name.
    var soleVariable: String? {
        if parts.count == 1, case .variable(let name) = parts[0] { return name }
        return nil
    }

    public func render(_ variables: Variables) -> String {
        var out = ""
        for part in parts {
            switch part {
            case .literal(let text): out += text
            case .variable(let name): out += variables.value(name).text
            }
        }
        return out
    }
}

/// A placeholder that cannot be parsed.
public struct TemplateSyntaxError: Error, Sendable {
    public var message: String
}

/// A JSON body with placeholders: a string value that is exactly `"${name}"` takes the variable's JSON
/// form (a number stays a number); placeholders inside longer strings are inserted as escaped text.
public struct JSONBodyTemplate: Sendable, Equatable {
    enum Part: Sendable, Equatable {
        case json(String)
        case value(String)
        case stringContent(String)
    }

    var parts: [Part] = []

    init() {}

    mutating func appendJSON(_ text: String) {
        if case .json(let previous)? = parts.last {
            parts[parts.count - 1] = .json(previous + text)
        } else {
            parts.append(.json(text))
        }
    }

    mutating func appendString(_ template: Template) {
        if let name = template.soleVariable {
            parts.append(.value(name))
            return
        }
        appendJSON("\"")
        for part in template.parts {
            switch part {
            case .literal(let text): appendJSON(String(JSONText.quote(text).dropFirst().dropLast()))
            case .variable(let name): parts.append(.stringContent(name))
            }
        }
        appendJSON("\"")
    }

    public var isConstant: Bool { parts.allSatisfy { if case .json = $0 { true } else { false } } }

    public var variableNames: [String] {
        parts.compactMap {
            switch $0 {
            case .json: nil
            case .value(let name), .stringContent(let name): name
            }
        }
    }

    public func render(_ variables: Variables) -> String {
        var out = ""
        for part in parts {
            switch part {
            case .json(let text): out += text
            case .value(let name): out += variables.value(name).json
            case .stringContent(let name): out += String(JSONText.quote(variables.value(name).text).dropFirst().dropLast())
            }
        }
        return out
    }
}

/// JSON string quoting.
enum JSONText {
    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let c where c.value < 0x20: out += String(format: "\\u%04x", c.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
