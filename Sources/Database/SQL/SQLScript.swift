/// A script of statements separated by top-level semicolons: the one splitter of migrations and
/// workload files.
public enum SQLScript {
    /// One statement of a script.
    public struct Statement: Sendable, Equatable {
        /// The statement from its first token to its last, as written (comments inside it kept).
        public var sql: String
        /// What stands before its first token since the previous statement: comments, such as a
        /// workload file's `-- calls: N`.
        public var preamble: String
    }

    /// The statements of `script` in order; a semicolon inside a literal, a quoted name, a
    /// dollar-quoted body or a comment does not split, and a part with no token is dropped.
    public static func statements(in script: String) -> [Statement] {
        let bytes = Array(script.utf8)
        var statements: [Statement] = []
        var previousEnd = 0
        var first: SQLToken?
        var last: SQLToken?
        for token in SQLLexer.tokens(script) {
            if token.kind == .punctuation, token.text == ";" {
                if let first, let last {
                    statements.append(Statement(
                        sql: text(bytes[first.sourceRange.lowerBound..<last.sourceRange.upperBound]),
                        preamble: text(bytes[previousEnd..<first.sourceRange.lowerBound])))
                }
                first = nil
                last = nil
                previousEnd = token.sourceRange.upperBound
            } else {
                if first == nil { first = token }
                last = token
            }
        }
        if let first, let last {
            statements.append(Statement(
                sql: text(bytes[first.sourceRange.lowerBound..<last.sourceRange.upperBound]),
                preamble: text(bytes[previousEnd..<first.sourceRange.lowerBound])))
        }
        return statements
    }

    private static func text(_ bytes: ArraySlice<UInt8>) -> String { String(decoding: bytes, as: UTF8.self) }
}
