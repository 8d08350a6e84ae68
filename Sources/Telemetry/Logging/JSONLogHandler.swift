import Foundation
import Logging

/// A swift-log handler that writes one JSON object per line: `ts`, `level`, `label`, `message` and
/// the metadata as top-level keys (numbers stay numbers). Bootstrap it once at the edge:
/// `LoggingSystem.bootstrap { JSONLogHandler(label: $0) }`.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let write: @Sendable (String) -> Void

    /// - Parameter write: receives each line without its newline; by default written to stdout.
    public init(label: String, write: @escaping @Sendable (String) -> Void = JSONLogHandler.standardOutput) {
        self.label = label
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        var fields: [(String, String)] = [
            ("ts", Self.quoted(Date().formatted(.iso8601))),
            ("level", Self.quoted(event.level.rawValue)),
            ("label", Self.quoted(label)),
            ("message", Self.quoted(event.message.description)),
        ]
        for key in merged.keys.sorted() {
            if let value = merged[key] { fields.append((key, Self.json(value))) }
        }
        write("{" + fields.map { Self.quoted($0.0) + ":" + $0.1 }.joined(separator: ",") + "}")
    }

    /// Writes `line` and a newline to standard error (where `surge` logs: standard output carries results).
    public static let standardError: @Sendable (String) -> Void = { line in
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// Writes `line` and a newline to standard output.
    public static let standardOutput: @Sendable (String) -> Void = { line in
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    static func json(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let string):
            return quoted(string)
        case .stringConvertible(let convertible):
            if let number = convertible as? any BinaryInteger { return "\(number)" }
            if let number = convertible as? Double, number.isFinite { return "\(number)" }
            if let flag = convertible as? Bool { return flag ? "true" : "false" }
            return quoted(convertible.description)
        case .array(let values):
            return "[" + values.map(json).joined(separator: ",") + "]"
        case .dictionary(let dictionary):
            return "{" + dictionary.keys.sorted().compactMap { key in dictionary[key].map { quoted(key) + ":" + json($0) } }
                .joined(separator: ",") + "}"
        }
    }

    static func quoted(_ string: String) -> String {
        var output = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default:
                output.unicodeScalars.append(scalar)
            }
        }
        return output + "\""
    }
}
