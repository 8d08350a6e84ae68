/// Turns SQL text into a shape without values: every literal becomes a `$n` parameter, so the
/// text can be printed and grouped without leaking data (the same idea as pg_stat_statements).
public enum SQLNormalizer {
    /// `sql` with literals replaced by parameters numbered after the highest existing `$n`,
    /// `IN ($1, $2, …)` lists folded to one parameter, and whitespace collapsed.
    public static func normalize(_ sql: String) -> String {
        let tokens = SQLLexer.tokens(sql)
        var next = (tokens.filter { $0.kind == .parameter }.compactMap { Int($0.text) }.max() ?? 0) + 1
        var out: [SQLToken] = []
        var index = 0
        while index < tokens.count {
            var token = tokens[index]
            if token.isConstant {
                // A negative number is one value, not an operator and a value.
                if token.kind == .number, let last = out.last, last.isSymbol("-"),
                   out.count >= 2, out[out.count - 2].kind == .symbol || out[out.count - 2].isSymbol("(") || out[out.count - 2].isSymbol(",") {
                    out.removeLast()
                }
                token = SQLToken(.parameter, String(next))
                next += 1
            }
            out.append(token)
            index += 1
        }
        return render(foldLists(out))
    }

    /// A grouping key: the normalized text with parameters renumbered in order of appearance.
    public static func fingerprint(_ sql: String) -> String {
        let tokens = SQLLexer.tokens(normalize(sql)).map { token in
            token.kind == .parameter ? SQLToken(.parameter, "?") : token
        }
        return render(tokens)
    }

    /// The statements of a script, split on top-level semicolons; empty statements dropped.
    public static func splitStatements(_ script: String) -> [String] {
        var statements: [String] = []
        var current = ""
        let chars = Array(script)
        var i = 0
        var state: Character? = nil  // inside ' or " quotes
        var dollarTag: String? = nil
        while i < chars.count {
            let c = chars[i]
            if let tag = dollarTag {
                if c == "$", String(chars[i..<min(chars.count, i + tag.count)]) == tag {
                    current += tag
                    i += tag.count
                    dollarTag = nil
                    continue
                }
                current.append(c)
                i += 1
                continue
            }
            if let quote = state {
                current.append(c)
                if c == quote { state = nil }
                i += 1
                continue
            }
            if c == "-" && i + 1 < chars.count && chars[i + 1] == "-" {
                while i < chars.count && chars[i] != "\n" { current.append(chars[i]); i += 1 }
                continue
            }
            if c == "'" || c == "\"" { state = c; current.append(c); i += 1; continue }
            if c == "$" {
                var j = i + 1
                while j < chars.count && (chars[j].isLetter || chars[j] == "_") { j += 1 }
                if j < chars.count && chars[j] == "$" && !(i + 1 < chars.count && chars[i + 1].isNumber) {
                    let tag = String(chars[i...j])
                    dollarTag = tag
                    current += tag
                    i = j + 1
                    continue
                }
            }
            if c == ";" {
                statements.append(current)
                current = ""
                i += 1
                continue
            }
            current.append(c)
            i += 1
        }
        statements.append(current)
        return statements.filter { !SQLLexer.tokens($0).isEmpty }
    }

    /// Folds `IN ($1, $2, $3)` to `IN ($1)` so lists of any length group together.
    static func foldLists(_ tokens: [SQLToken]) -> [SQLToken] {
        var out: [SQLToken] = []
        var i = 0
        while i < tokens.count {
            out.append(tokens[i])
            if tokens[i].isWord("in"), i + 2 < tokens.count, tokens[i + 1].isSymbol("("), tokens[i + 2].kind == .parameter {
                var j = i + 2
                var onlyParameters = true
                while j < tokens.count && !tokens[j].isSymbol(")") {
                    if !(tokens[j].kind == .parameter || tokens[j].isSymbol(",")) { onlyParameters = false; break }
                    j += 1
                }
                if onlyParameters && j < tokens.count {
                    out.append(tokens[i + 1])
                    out.append(tokens[i + 2])
                    out.append(tokens[j])
                    i = j + 1
                    continue
                }
            }
            i += 1
        }
        return out
    }

    /// Tokens back to one line of SQL.
    public static func render(_ tokens: [SQLToken]) -> String {
        var text = ""
        var previous: SQLToken?
        for token in tokens {
            let piece: String
            switch token.kind {
            case .parameter: piece = token.text == "?" ? "?" : "$" + token.text
            case .quotedIdentifier: piece = "\"" + token.text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            case .string: piece = "'" + token.text.replacingOccurrences(of: "'", with: "''") + "'"
            default: piece = token.text
            }
            if let previous {
                let tight = token.isSymbol(")") || token.isSymbol(",") || token.isSymbol(".") || token.isSymbol("]") || token.isSymbol(";")
                    || previous.isSymbol("(") || previous.isSymbol(".") || previous.isSymbol("[") || previous.isSymbol("::") || token.isSymbol("::")
                    || token.isSymbol("[")
                    || (token.isSymbol("(") && previous.kind == .word && !keywordsBeforeParenthesis.contains(previous.text))
                text += tight ? piece : " " + piece
            } else {
                text = piece
            }
            previous = token
        }
        return text
    }

    static let keywordsBeforeParenthesis: Set<String> = [
        "in", "and", "or", "not", "as", "from", "join", "where", "on", "select", "exists", "values", "using", "over", "filter", "any", "all", "when", "then", "else",
    ]
}
