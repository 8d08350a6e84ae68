import Foundation

/// The subset of JSON Schema (2020-12, as OpenAPI 3.1 uses it) the store's document uses for what a
/// client sends: `type`, `enum`, `minimum`/`maximum`, `minLength`/`maxLength` (in Unicode code
/// points, as JSON Schema counts), `pattern` (unanchored unless the pattern anchors itself), `format:
/// uuid`, `properties`/`required`/`additionalProperties: false`, `items`, and `$ref` (resolved once).
///
/// The server checks every request against the same document it serves (`RequestContract`), so a
/// limit written here is the limit enforced: they cannot drift apart.
struct JSONSchema: Sendable {
    enum Kind: String, Sendable { case object, array, string, integer, number, boolean }

    var type: Kind?
    var enumeration: [String]?
    var minimum: Int64?
    var maximum: Int64?
    var minLength: Int?
    var maxLength: Int?
    var pattern: SchemaPattern?
    var format: String?
    var properties: [String: JSONSchema] = [:]
    var required: [String] = []
    var additionalProperties = true
    /// Boxed: a schema holds schemas.
    var itemsBox: [JSONSchema] = []
    var items: JSONSchema? { itemsBox.first }

    /// Reads a schema object of `document`, following `$ref`s (`#/components/...`).
    init(_ node: [String: Any], document: [String: Any]) throws(ContractError) {
        var node = node
        if let ref = node["$ref"] as? String { node = try Self.resolve(ref, in: document).merging(node) { resolved, _ in resolved } }
        if let raw = node["type"] as? String {
            guard let kind = Kind(rawValue: raw) else { throw ContractError("unsupported schema type \(raw)") }
            type = kind
        }
        enumeration = node["enum"] as? [String]
        minimum = (node["minimum"] as? NSNumber)?.int64Value
        maximum = (node["maximum"] as? NSNumber)?.int64Value
        minLength = (node["minLength"] as? NSNumber)?.intValue
        maxLength = (node["maxLength"] as? NSNumber)?.intValue
        if let raw = node["pattern"] as? String { pattern = try SchemaPattern(raw) }
        format = node["format"] as? String
        for (name, child) in node["properties"] as? [String: Any] ?? [:] {
            guard let child = child as? [String: Any] else { throw ContractError("property \(name) is not a schema") }
            properties[name] = try JSONSchema(child, document: document)
        }
        required = node["required"] as? [String] ?? []
        additionalProperties = (node["additionalProperties"] as? Bool) ?? true
        if let child = node["items"] as? [String: Any] { itemsBox = [try JSONSchema(child, document: document)] }
    }

    static func resolve(_ ref: String, in document: [String: Any]) throws(ContractError) -> [String: Any] {
        guard ref.hasPrefix("#/") else { throw ContractError("only local $refs are supported, not \(ref)") }
        var node: Any = document
        for part in ref.dropFirst(2).split(separator: "/") {
            guard let next = (node as? [String: Any])?[String(part)] else { throw ContractError("$ref \(ref) does not resolve") }
            node = next
        }
        guard let object = node as? [String: Any] else { throw ContractError("$ref \(ref) is not an object") }
        return object
    }

    /// Why `value` (JSON from a body) does not satisfy this schema, naming the field (`field` is its
    /// path, e.g. `shipping_address.country`); `nil` when it does.
    func violation(of value: JSONInput, field: String) -> String? {
        switch (type, value) {
        case (nil, _), (.object?, .object), (.array?, .array), (.string?, .string), (.integer?, .integer),
             (.number?, .integer), (.number?, .double), (.boolean?, .bool):
            break
        default:
            return "\(field) must be \(Self.describe(type)), not \(value.kindDescription)"
        }
        switch value {
        case .string(let text): return violation(ofText: text, field: field)
        case .integer(let number): return violation(ofInteger: number, field: field)
        case .object(let object):
            for name in required where object[name] == nil { return "missing field \(Self.join(field, name))" }
            for (name, child) in object.sorted(by: { $0.key < $1.key }) {
                guard let schema = properties[name] else {
                    if additionalProperties { continue }
                    let known = properties.keys.sorted().joined(separator: ", ")
                    return "unknown field \(Self.join(field, name)); \(field == "body" ? "the body" : field) may hold \(known.isEmpty ? "nothing" : known)"
                }
                if let problem = schema.violation(of: child, field: Self.join(field, name)) { return problem }
            }
            return nil
        case .array(let elements):
            guard let items else { return nil }
            for (index, element) in elements.enumerated() {
                if let problem = items.violation(of: element, field: "\(field)[\(index)]") { return problem }
            }
            return nil
        case .null, .bool, .double:
            return nil
        }
    }

    /// Why the text `value` breaks this schema's string rules, or `nil`.
    func violation(ofText value: String, field: String) -> String? {
        if let enumeration, !enumeration.contains(value) {
            return "\(field) must be one of \(enumeration.joined(separator: ", ")), not '\(Self.excerpt(value))'"
        }
        let length = value.unicodeScalars.count
        if let minLength, length < minLength { return "\(field) must be at least \(minLength) characters" }
        if let maxLength, length > maxLength { return "\(field) must be at most \(maxLength) characters, not \(length)" }
        if let pattern, !pattern.matches(value) {
            return value.unicodeScalars.contains("\0")
                ? "\(field) must not contain NUL (U+0000)"
                : "\(field) must match \(pattern.source), not '\(Self.excerpt(value))'"
        }
        if format == "uuid", UUID(uuidString: value) == nil { return "\(field) must be a UUID, not '\(Self.excerpt(value))'" }
        return nil
    }

    func violation(ofInteger value: Int64, field: String) -> String? {
        if let minimum, value < minimum { return "\(field) must be at least \(minimum), not \(value)" }
        if let maximum, value > maximum { return "\(field) must be at most \(maximum), not \(value)" }
        return nil
    }

    /// The text form of a parameter (query, path or header), checked as its schema's type: integers
    /// as plain decimal (optional `-`), booleans as `true` or `false`.
    func violation(ofParameter raw: String, field: String) -> String? {
        switch type {
        case .integer?:
            guard let value = Int64(raw), raw.first != "+" else {
                let range = "from \(minimum.map(String.init) ?? "any") to \(maximum.map(String.init) ?? "any")"
                return "\(field) must be an integer \(range), not '\(Self.excerpt(raw))'"
            }
            return violation(ofInteger: value, field: field)
        case .boolean?:
            return raw == "true" || raw == "false" ? nil : "\(field) must be true or false, not '\(Self.excerpt(raw))'"
        default:
            return violation(ofText: raw, field: field)
        }
    }

    static func describe(_ type: Kind?) -> String {
        switch type {
        case .object?: "an object"
        case .array?: "an array"
        case .string?: "a string"
        case .integer?: "an integer"
        case .number?: "a number"
        case .boolean?: "a boolean"
        case nil: "a value"
        }
    }

    static func join(_ path: String, _ name: String) -> String { path == "body" ? name : "\(path).\(name)" }

    /// At most 40 characters of a client's value, NULs shown as `\0`, for an error's detail.
    static func excerpt(_ value: String) -> String {
        String(value.unicodeScalars.prefix(40).map { $0 == "\0" ? "\\0" : String($0) }.joined())
    }
}

/// A schema's `pattern`, compiled once.
struct SchemaPattern: @unchecked Sendable {
    // @unchecked: NSRegularExpression is immutable after creation and documented as safe to use from
    // several threads at once; it is not marked Sendable on Linux.
    let source: String
    private let expression: NSRegularExpression
    /// The document's most common pattern, "any text without NUL", checked without the regex engine
    /// (ICU through NSString cost ~100 µs a call in a debug build, most of the listing's contract check).
    private let onlyExcludesNUL: Bool

    static let noNUL = "^[^\\u0000]*$"

    init(_ source: String) throws(ContractError) {
        self.source = source
        onlyExcludesNUL = source == Self.noNUL
        do {
            expression = try NSRegularExpression(pattern: source)
        } catch {
            throw ContractError("pattern \(source) does not compile: \(error)")
        }
    }

    /// Whether the pattern matches somewhere in `value` (JSON Schema's unanchored search).
    func matches(_ value: String) -> Bool {
        if onlyExcludesNUL { return !value.utf8.contains(0) }
        return expression.firstMatch(in: value, range: NSRange(value.startIndex..., in: value)) != nil
    }

    /// The regex engine's answer, for the test that keeps the fast path honest.
    func matchesByExpression(_ value: String) -> Bool {
        expression.firstMatch(in: value, range: NSRange(value.startIndex..., in: value)) != nil
    }
}

/// JSON as a client sent it, with integers, doubles and booleans kept apart (a `1` is not `true`,
/// and `1.5` is not an integer).
enum JSONInput: Decodable, Sendable {
    case null, bool(Bool), integer(Int64), double(Double), string(String), array([JSONInput]), object([String: JSONInput])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Int64.self) { self = .integer(value) }
        else if let value = try? container.decode(Double.self) { self = .double(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([JSONInput].self) { self = .array(value) }
        else { self = .object(try container.decode([String: JSONInput].self)) }
    }

    var kindDescription: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .integer: "an integer"
        case .double(let value): value.rounded() == value ? "an integer out of range" : "a fractional number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

/// The document does not say what the contract reader understands (a bug in the document).
struct ContractError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
