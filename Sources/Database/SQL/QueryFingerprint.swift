import Reproducible

/// The shape of a SQL statement with its values taken out: what pg_stat_statements calls a query id.
///
/// The normalized text is pg_stat_statements' form, so it is itself a statement PostgreSQL can
/// prepare and plan (the advisor plans it) and fingerprints to the same id again: every value —
/// constant (`1`, `'it''s'`, `E'\''`, `$$…$$`) or bind parameter — becomes `$n`, numbered in order of
/// appearance (a parameter used twice keeps one number); IN-lists, ARRAY[…] and multi-row VALUES of
/// any length collapse to one element; comments go, whitespace and the case of unquoted words are
/// normalized. The id is FNV-1a (64 bit) of the normalized text, stable across processes and
/// releases of Swift. The one fingerprint of the store's statistics, its logs and the advisor.
public struct QueryFingerprint: Sendable, Hashable {
    /// The stable 64-bit id.
    public let id: UInt64
    /// The normalized statement text the id is computed from.
    public let normalized: String

    /// Fingerprints `sql`.
    public init(sql: String) {
        let tokens = Self.numbered(Self.collapseLists(Self.folded(SQLLexer.tokens(sql))))
        normalized = SQLText.render(tokens)
        id = FNV1a.hash(normalized.utf8)
    }

    /// The id as 16 lowercase hex digits, the form used in logs, metrics labels and JSON.
    public var hexID: String { Self.hexID(id) }

    /// A 64-bit value as 16 lowercase hex digits (also used for request ids and tokens).
    public static func hexID(_ id: UInt64) -> String { FNV1a.hex16(id) }

    /// `sql` with its values replaced by `?`, otherwise as written (see `SQLText.redact`).
    public static func redact(_ sql: String) -> String { SQLText.redact(sql) }

    /// Constants become anonymous values (a parameter with no number), a sign before a constant
    /// joins it, and trailing `;` go.
    static func folded(_ tokens: [SQLToken]) -> [SQLToken] {
        var result: [SQLToken] = []
        result.reserveCapacity(tokens.count)
        for var token in tokens {
            if token.isValue {
                if token.isConstant { token = SQLToken(.parameter, "", sourceRange: token.sourceRange) }
                if let last = result.last, last.isSymbol("-") || last.isSymbol("+"),
                    result.count < 2 || !isOperand(result[result.count - 2])
                {
                    result.removeLast()
                }
            }
            result.append(token)
        }
        while result.last?.isSymbol(";") == true { result.removeLast() }
        return result
    }

    /// `IN ($1, $2, $3)` and `ARRAY[$1, $2]` become `IN ($1)` and `ARRAY[$1]`, and `VALUES (…), (…)`
    /// keeps its first row when the others have the same shape, so lists of any length share one
    /// fingerprint.
    static func collapseLists(_ tokens: [SQLToken]) -> [SQLToken] {
        var result: [SQLToken] = []
        result.reserveCapacity(tokens.count)
        var index = 0
        while index < tokens.count {
            let token = tokens[index]
            if let close = listClose(for: token, after: result.last) {
                var cursor = index + 1
                var elements = 0
                while cursor < tokens.count, tokens[cursor].kind == .parameter {
                    elements += 1
                    cursor += 1
                    guard cursor < tokens.count, tokens[cursor].isSymbol(",") else { break }
                    cursor += 1
                }
                if elements > 0, cursor < tokens.count, tokens[cursor].isSymbol(close) {
                    result.append(contentsOf: [token, tokens[index + 1], tokens[cursor]])
                    index = cursor + 1
                    continue
                }
            }
            if token.isSymbol(","), result.last?.isSymbol(")") == true, let rowStart = matchingOpen(result),
                rowStart > 0, result[rowStart - 1].isWord("values"),
                let rowEnd = matchingClose(tokens, from: index + 1),
                tokens[(index + 1)...rowEnd].elementsEqual(result[rowStart...], by: sameShape)
            {
                index = rowEnd + 1
                continue
            }
            result.append(token)
            index += 1
        }
        return result
    }

    /// Every value gets its `$n` in order of appearance; a parameter seen before keeps its number.
    static func numbered(_ tokens: [SQLToken]) -> [SQLToken] {
        var numbers: [String: Int] = [:]
        var next = 0
        return tokens.map { token in
            guard token.kind == .parameter else { return token }
            let number: Int
            if !token.text.isEmpty, let known = numbers[token.text] {
                number = known
            } else {
                next += 1
                number = next
                if !token.text.isEmpty { numbers[token.text] = number }
            }
            return SQLToken(.parameter, String(number), sourceRange: token.sourceRange)
        }
    }

    /// Equal tokens, or two values (whatever their number).
    private static func sameShape(_ a: SQLToken, _ b: SQLToken) -> Bool {
        a == b || (a.kind == .parameter && b.kind == .parameter)
    }

    private static func listClose(for token: SQLToken, after previous: SQLToken?) -> String? {
        guard let previous, previous.kind == .word else { return nil }
        if token.isSymbol("("), previous.text == "in" { return ")" }
        if token.isSymbol("["), previous.text == "array" { return "]" }
        return nil
    }

    private static func matchingOpen(_ tokens: [SQLToken]) -> Int? {
        var depth = 0
        for position in stride(from: tokens.count - 1, through: 0, by: -1) {
            if tokens[position].isSymbol(")") { depth += 1 }
            if tokens[position].isSymbol("(") {
                depth -= 1
                if depth == 0 { return position }
            }
        }
        return nil
    }

    private static func matchingClose(_ tokens: [SQLToken], from start: Int) -> Int? {
        guard start < tokens.count, tokens[start].isSymbol("(") else { return nil }
        var depth = 0
        for position in start..<tokens.count {
            if tokens[position].isSymbol("(") { depth += 1 }
            if tokens[position].isSymbol(")") {
                depth -= 1
                if depth == 0 { return position }
            }
        }
        return nil
    }

    /// Whether `token` ends an operand, so a following `-` is subtraction rather than a sign.
    private static func isOperand(_ token: SQLToken) -> Bool {
        switch token.kind {
        case .string, .number, .parameter, .quotedIdentifier: return true
        case .word: return !SQLText.spacedKeywords.contains(token.text) && token.text != "is" && token.text != "like"
        case .punctuation: return token.text == ")" || token.text == "]"
        case .symbol: return false
        }
    }
}
