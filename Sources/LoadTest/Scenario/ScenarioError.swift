/// A mistake in a scenario file, with the line and the field it concerns.
public struct ScenarioError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    /// 1-based line number (0 when unknown).
    public var line: Int
    /// The field, as a path like `scenarios[1].rate`.
    public var field: String
    public var message: String

    public var description: String {
        let location = line > 0 ? "\(file):\(line)" : file
        return field.isEmpty ? "\(location): \(message)" : "\(location): \(field): \(message)"
    }
}
