import Foundation

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
        let chars = Array(sql)
        var i = 0
        func skipSpace() { while i < chars.count && chars[i].isWhitespace { i += 1 } }
        func readWord() -> String {
            let start = i
            while i < chars.count && (chars[i].isLetter || chars[i].isNumber || chars[i] == "_" || chars[i] == "$") { i += 1 }
            return String(chars[start..<i])
        }
        skipSpace()
        guard readWord().lowercased() == "prepare" else { return nil }
        skipSpace()
        if i < chars.count && chars[i] == "\"" {
            i += 1
            while i < chars.count {
                if chars[i] == "\"" {
                    if i + 1 < chars.count && chars[i + 1] == "\"" { i += 2; continue }
                    break
                }
                i += 1
            }
            i += 1
        } else if readWord().isEmpty {
            return nil
        }
        skipSpace()
        var types: [String] = []
        if i < chars.count && chars[i] == "(" {
            var depth = 0
            var current = ""
            while i < chars.count {
                let c = chars[i]
                i += 1
                if c == "(" { depth += 1; if depth == 1 { continue } }
                if c == ")" { depth -= 1; if depth == 0 { break } }
                if c == "," && depth == 1 {
                    types.append(current.trimmingCharacters(in: .whitespaces))
                    current = ""
                    continue
                }
                current.append(c)
            }
            guard depth == 0 else { return nil }
            let last = current.trimmingCharacters(in: .whitespaces)
            if !last.isEmpty { types.append(last) }
            skipSpace()
        }
        guard readWord().lowercased() == "as", i < chars.count, chars[i].isWhitespace || chars[i] == "(" else { return nil }
        let statement = String(chars[i...]).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !statement.isEmpty else { return nil }
        return PreparedStatementText(statement: statement, parameterTypes: types)
    }
}
