/// A file that cannot be read as capacity input: one line naming the file, line and column.
public struct InputError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
