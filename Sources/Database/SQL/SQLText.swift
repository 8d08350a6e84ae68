/// Tokens back to one line of SQL: single spaces, except around `(`, `)`, `,`, `.`, `[`, `]` and `::`.
public enum SQLText {
    /// `tokens` as SQL, each token written canonically (words lowercased, strings and quoted names
    /// quoted again, parameters as `$n`).
    public static func render(_ tokens: [SQLToken]) -> String {
        render(tokens, piece: canonical)
    }

    /// `sql` with its constants and parameters replaced by `?` and whitespace runs collapsed, but
    /// otherwise as written: safe to show on an admin page or in a log.
    public static func redact(_ sql: String) -> String {
        let bytes = Array(sql.utf8)
        return render(SQLLexer.tokens(sql)) { token in
            token.isValue ? "?" : String(decoding: bytes[token.sourceRange], as: UTF8.self)
        }
    }

    /// The canonical text of one token.
    public static func canonical(_ token: SQLToken) -> String {
        switch token.kind {
        case .parameter: return "$" + token.text
        case .quotedIdentifier: return "\"" + token.text.replacing("\"", with: "\"\"") + "\""
        case .string: return "'" + token.text.replacing("'", with: "''") + "'"
        case .word, .number, .symbol, .punctuation: return token.text
        }
    }

    static func render(_ tokens: [SQLToken], piece: (SQLToken) -> String) -> String {
        var output = ""
        var previous: SQLToken?
        for token in tokens {
            if let previous, needsSpace(between: previous, and: token) { output += " " }
            output += piece(token)
            previous = token
        }
        return output
    }

    private static func needsSpace(between previous: SQLToken, and next: SQLToken) -> Bool {
        if next.kind == .punctuation, [")", ",", ".", "]", ";"].contains(next.text) { return false }
        if previous.kind == .punctuation, ["(", ".", "["].contains(previous.text) { return false }
        if previous.isSymbol("::") || next.isSymbol("::") { return false }
        if next.isSymbol("(") || next.isSymbol("[") {
            // Function calls and array subscripts hug their name; keywords before a list do not.
            return !previous.isName || (previous.kind == .word && spacedKeywords.contains(previous.text))
        }
        return true
    }

    /// Keywords a `(` after them does not hug (`IN (`, `VALUES (`), unlike a function name.
    static let spacedKeywords: Set<String> = [
        "in", "values", "from", "join", "on", "and", "or", "not", "where", "as", "exists", "select",
        "using", "set", "into", "by", "when", "then", "else", "any", "all", "with", "returning", "table",
        "over", "filter",
    ]
}
