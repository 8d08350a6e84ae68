import Database

/// The statement inside an SQL-level `PREPARE name [(type, …)] AS statement`.
///
/// pg_stat_statements (PostgreSQL 15) records a statement prepared with SQL `PREPARE` under the
/// text `PREPARE p(int) AS SELECT …`, and charges every `EXECUTE p(…)` to that entry (it does not
/// track EXECUTE or DEALLOCATE as statements of their own). So the PREPARE text is the workload.
public struct PreparedStatementText: Sendable, Equatable {
    /// The statement after `AS`, as written.
    public var statement: String
    /// The declared parameter types (`PREPARE p(int, text)`), empty when none were declared.
    public var parameterTypes: [String]

    /// The inner statement and declared types of `sql`, or nil when `sql` is not a PREPARE.
    public static func unwrap(_ sql: String) -> PreparedStatementText? {
        let tokens = SQLLexer.tokens(sql)
        guard tokens.count >= 4, tokens[0].isWord("prepare"), tokens[1].isName else { return nil }
        let bytes = Array(sql.utf8)
        func written(_ range: Range<Int>) -> String { String(decoding: bytes[range], as: UTF8.self) }
        var index = 2
        var types: [String] = []
        if tokens[index].isSymbol("(") {
            var depth = 0
            var typeStart = tokens[index].sourceRange.upperBound
            while index < tokens.count {
                let token = tokens[index]
                index += 1
                if token.isSymbol("(") { depth += 1 }
                if token.isSymbol(")") { depth -= 1 }
                if depth == 0 || (depth == 1 && token.isSymbol(",")) {
                    let type = written(typeStart..<token.sourceRange.lowerBound).trimmingSpaces
                    if !type.isEmpty { types.append(type) }
                    typeStart = token.sourceRange.upperBound
                }
                if depth == 0 { break }
            }
            guard depth == 0 else { return nil }
        }
        guard index + 1 < tokens.count, tokens[index].isWord("as") else { return nil }
        let statement = written(tokens[index + 1].sourceRange.lowerBound..<bytes.count).trimmingSpaces
        return PreparedStatementText(statement: statement, parameterTypes: types)
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        var text = Substring(self)
        while let first = text.first, first.isWhitespace { text.removeFirst() }
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return String(text)
    }
}
