import Foundation

/// A small JSON path: `$`, `.key`, `["key"]` and `[index]`, e.g. `$.items[0].id`.
public struct JSONPath: Sendable, Equatable, CustomStringConvertible {
    enum Component: Sendable, Equatable {
        case key(String)
        case index(Int)
    }

    let components: [Component]
    public let description: String

    public init(parsing text: String) throws(TemplateSyntaxError) {
        description = text
        guard text.hasPrefix("$") else { throw TemplateSyntaxError(message: "JSON path `\(text)` must start with `$`") }
        var components: [Component] = []
        var rest = text.dropFirst()
        while let first = rest.first {
            if first == "." {
                rest = rest.dropFirst()
                let key = rest.prefix { $0 != "." && $0 != "[" }
                guard !key.isEmpty else { throw TemplateSyntaxError(message: "empty key in JSON path `\(text)`") }
                components.append(.key(String(key)))
                rest = rest.dropFirst(key.count)
            } else if first == "[" {
                guard let close = rest.firstIndex(of: "]") else { throw TemplateSyntaxError(message: "unclosed `[` in JSON path `\(text)`") }
                let inside = rest[rest.index(after: rest.startIndex)..<close]
                if let index = Int(inside), index >= 0 {
                    components.append(.index(index))
                } else if inside.count >= 2, inside.first == "\"" || inside.first == "'", inside.last == inside.first {
                    components.append(.key(String(inside.dropFirst().dropLast())))
                } else {
                    throw TemplateSyntaxError(message: "bad subscript `[\(inside)]` in JSON path `\(text)`")
                }
                rest = rest[rest.index(after: close)...]
            } else {
                throw TemplateSyntaxError(message: "unexpected `\(first)` in JSON path `\(text)` (use $.key or $[0])")
            }
        }
        self.components = components
    }

    /// The value at this path in a parsed JSON document, or nil.
    public func evaluate(_ document: Any) -> Any? {
        var current: Any = document
        for component in components {
            switch component {
            case .key(let key):
                guard let object = current as? [String: Any], let next = object[key] else { return nil }
                current = next
            case .index(let index):
                guard let array = current as? [Any], index < array.count else { return nil }
                current = array[index]
            }
        }
        return current
    }

    /// A JSON value as a template value: numbers and booleans raw, strings as text, others as JSON.
    static func templateValue(_ value: Any) -> TemplateValue {
        if let string = value as? String { return .string(string) }
        if let number = value as? NSNumber {
            if String(describing: type(of: number)).contains("Boolean") { return .raw(number.boolValue ? "true" : "false") }
            return .raw(number.stringValue)
        }
        if value is NSNull { return .raw("null") }
        if let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]),
           let text = String(data: data, encoding: .utf8) {
            return .raw(text)
        }
        return .string(String(describing: value))
    }
}
