/// The shape of a SQL statement with its values taken out: what pg_stat_statements calls a query id.
///
/// Literals (`1`, `'it''s'`, `E'\''`, `$$…$$`) and bind placeholders (`$1`) become `?`, IN-lists and
/// multi-row VALUES of any length collapse to one element, comments go, whitespace and the case of
/// unquoted words are normalized. The id is FNV-1a (64 bit) of the normalized text, so it is stable
/// across processes and releases of Swift.
public struct QueryFingerprint: Sendable, Hashable {
    /// The stable 64-bit id.
    public let id: UInt64
    /// The normalized statement text the id is computed from.
    public let normalized: String

    /// Fingerprints `sql`.
    public init(sql: String) {
        let tokens = SQLLexer.tokens(of: sql)
        let normalized = SQLLexer.render(SQLLexer.collapseLists(SQLLexer.folded(tokens)))
        self.normalized = normalized
        self.id = Self.fnv1a(normalized)
    }

    /// The id as 16 lowercase hex digits, the form used in logs, metrics labels and JSON.
    public var hexID: String { Self.hexID(id) }

    /// A 64-bit value as 16 lowercase hex digits (also used for request ids and tokens).
    public static func hexID(_ id: UInt64) -> String {
        let digits = String(id, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// `sql` with its literals replaced by `?` and whitespace runs collapsed, but otherwise as written:
    /// safe to show on an admin page or in a log.
    public static func redact(_ sql: String) -> String {
        SQLLexer.render(SQLLexer.tokens(of: sql).map { $0.kind == .literal ? SQLToken(kind: .literal, text: "?") : $0 })
    }

    static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return hash
    }
}

struct SQLToken: Equatable {
    enum Kind { case word, quotedIdentifier, literal, punctuation, `operator` }
    var kind: Kind
    var text: String
}

/// A small SQL lexer: enough of PostgreSQL's lexical rules to find literals, comments and words.
enum SQLLexer {
    static func tokens(of sql: String) -> [SQLToken] {
        let bytes = Array(sql.utf8)
        var tokens: [SQLToken] = []
        var index = 0
        func text(_ range: Range<Int>) -> String { String(decoding: bytes[range], as: UTF8.self) }
        func at(_ offset: Int) -> UInt8? { index + offset < bytes.count ? bytes[index + offset] : nil }

        while index < bytes.count {
            let byte = bytes[index]
            let start = index
            switch byte {
            case _ where isSpace(byte):
                index += 1
            case UInt8(ascii: "-") where at(1) == UInt8(ascii: "-"):
                while index < bytes.count, bytes[index] != UInt8(ascii: "\n") { index += 1 }
            case UInt8(ascii: "/") where at(1) == UInt8(ascii: "*"):
                // Block comments nest in PostgreSQL.
                var depth = 0
                while index < bytes.count {
                    if bytes[index] == UInt8(ascii: "/"), at(1) == UInt8(ascii: "*") {
                        depth += 1
                        index += 2
                    } else if bytes[index] == UInt8(ascii: "*"), at(1) == UInt8(ascii: "/") {
                        depth -= 1
                        index += 2
                        if depth == 0 { break }
                    } else {
                        index += 1
                    }
                }
            case UInt8(ascii: "'"):
                index = endOfString(bytes, from: index, backslashEscapes: false)
                tokens.append(SQLToken(kind: .literal, text: text(start..<index)))
            case UInt8(ascii: "\""):
                index += 1
                while index < bytes.count {
                    if bytes[index] == UInt8(ascii: "\"") {
                        if at(1) == UInt8(ascii: "\"") { index += 2; continue }
                        index += 1
                        break
                    }
                    index += 1
                }
                tokens.append(SQLToken(kind: .quotedIdentifier, text: text(start..<index)))
            case UInt8(ascii: "$") where at(1).map(isDigit) == true:
                index += 1
                while index < bytes.count, isDigit(bytes[index]) { index += 1 }
                tokens.append(SQLToken(kind: .literal, text: text(start..<index)))
            case UInt8(ascii: "$"):
                if let end = endOfDollarQuote(bytes, from: index) {
                    index = end
                    tokens.append(SQLToken(kind: .literal, text: text(start..<index)))
                } else {
                    index += 1
                    tokens.append(SQLToken(kind: .operator, text: "$"))
                }
            case _ where isDigit(byte) || (byte == UInt8(ascii: ".") && at(1).map(isDigit) == true):
                index = endOfNumber(bytes, from: index)
                tokens.append(SQLToken(kind: .literal, text: text(start..<index)))
            case _ where isWordStart(byte):
                // String constants with a prefix: E'…' (backslash escapes), B'…', X'…', N'…', U&'…'.
                let upper = byte & 0xDF
                if at(1) == UInt8(ascii: "'"), [UInt8(ascii: "E"), UInt8(ascii: "B"), UInt8(ascii: "X"), UInt8(ascii: "N")].contains(upper) {
                    index = endOfString(bytes, from: index + 1, backslashEscapes: upper == UInt8(ascii: "E"))
                    tokens.append(SQLToken(kind: .literal, text: text(start..<index)))
                } else if upper == UInt8(ascii: "U"), at(1) == UInt8(ascii: "&"), at(2) == UInt8(ascii: "'") {
                    index = endOfString(bytes, from: index + 2, backslashEscapes: false)
                    tokens.append(SQLToken(kind: .literal, text: text(start..<index)))
                } else {
                    while index < bytes.count, isWordPart(bytes[index]) { index += 1 }
                    tokens.append(SQLToken(kind: .word, text: text(start..<index)))
                }
            case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "["),
                UInt8(ascii: "]"), UInt8(ascii: "."):
                index += 1
                tokens.append(SQLToken(kind: .punctuation, text: text(start..<index)))
            default:
                index += 1
                if isOperatorChar(byte) {
                    while index < bytes.count, isOperatorChar(bytes[index]),
                        !(bytes[index] == UInt8(ascii: "-") && at(1) == UInt8(ascii: "-")),
                        !(bytes[index] == UInt8(ascii: "/") && at(1) == UInt8(ascii: "*"))
                    {
                        index += 1
                    }
                    // As in PostgreSQL's lexer: `=-1` is `=` then `-1` (a trailing + or - is not part
                    // of a multi-character operator made only of SQL-standard operator characters).
                    let run = bytes[start..<index]
                    if run.count > 1, let last = run.last, last == UInt8(ascii: "-") || last == UInt8(ascii: "+"),
                        !run.contains(where: { Array("~!@#%^&|`?".utf8).contains($0) })
                    {
                        index -= 1
                    }
                }
                tokens.append(SQLToken(kind: .operator, text: text(start..<index)))
            }
        }
        return tokens
    }

    /// Lowercases words, drops a trailing `;`, and folds a unary minus into the literal it signs.
    static func folded(_ tokens: [SQLToken]) -> [SQLToken] {
        var result: [SQLToken] = []
        result.reserveCapacity(tokens.count)
        for token in tokens {
            var token = token
            switch token.kind {
            case .word:
                token.text = token.text.lowercased()
            case .literal:
                token.text = "?"
                if let last = result.last, last.kind == .operator, last.text == "-" || last.text == "+",
                    result.count < 2 || !isOperand(result[result.count - 2])
                {
                    result.removeLast()
                }
            default:
                break
            }
            result.append(token)
        }
        while result.last?.text == ";" { result.removeLast() }
        return result
    }

    /// `IN (?, ?, ?)` and `ARRAY[?, ?]` become `IN (?)` and `ARRAY[?]`, and `VALUES (…), (…)` keeps
    /// its first row, so lists of any length share one fingerprint.
    static func collapseLists(_ tokens: [SQLToken]) -> [SQLToken] {
        var result: [SQLToken] = []
        result.reserveCapacity(tokens.count)
        var index = 0
        while index < tokens.count {
            let token = tokens[index]
            if let close = listClose(for: token, after: result.last) {
                var cursor = index + 1
                var elements = 0
                while cursor < tokens.count, tokens[cursor].kind == .literal {
                    elements += 1
                    cursor += 1
                    guard cursor < tokens.count, tokens[cursor].text == "," else { break }
                    cursor += 1
                }
                if elements > 0, cursor < tokens.count, tokens[cursor].text == close {
                    result.append(contentsOf: [token, SQLToken(kind: .literal, text: "?"), tokens[cursor]])
                    index = cursor + 1
                    continue
                }
            }
            if token.text == ",", result.last?.text == ")", let rowStart = matchingOpen(result),
                rowStart > 0, result[rowStart - 1].text == "values",
                let rowEnd = matchingClose(tokens, from: index + 1),
                Array(tokens[(index + 1)...rowEnd]) == Array(result[rowStart...])
            {
                index = rowEnd + 1
                continue
            }
            result.append(token)
            index += 1
        }
        return result
    }

    private static func listClose(for token: SQLToken, after previous: SQLToken?) -> String? {
        guard let previous, previous.kind == .word else { return nil }
        if token.text == "(", previous.text == "in" { return ")" }
        if token.text == "[", previous.text == "array" { return "]" }
        return nil
    }

    private static func matchingOpen(_ tokens: [SQLToken]) -> Int? {
        var depth = 0
        for position in stride(from: tokens.count - 1, through: 0, by: -1) {
            if tokens[position].text == ")" { depth += 1 }
            if tokens[position].text == "(" {
                depth -= 1
                if depth == 0 { return position }
            }
        }
        return nil
    }

    private static func matchingClose(_ tokens: [SQLToken], from start: Int) -> Int? {
        guard start < tokens.count, tokens[start].text == "(" else { return nil }
        var depth = 0
        for position in start..<tokens.count {
            if tokens[position].text == "(" { depth += 1 }
            if tokens[position].text == ")" {
                depth -= 1
                if depth == 0 { return position }
            }
        }
        return nil
    }

    /// Joins tokens with single spaces, except around `(`, `)`, `,`, `.`, `[`, `]` and `::`.
    static func render(_ tokens: [SQLToken]) -> String {
        var output = ""
        var previous: SQLToken?
        for token in tokens {
            if let previous, needsSpace(between: previous, and: token) { output += " " }
            output += token.text
            previous = token
        }
        return output
    }

    private static func needsSpace(between previous: SQLToken, and next: SQLToken) -> Bool {
        if [")", ",", ".", "]", ";"].contains(next.text) { return false }
        if ["(", ".", "["].contains(previous.text) { return false }
        if previous.text == "::" || next.text == "::" { return false }
        if next.text == "(" || next.text == "[" {
            // Function calls and array subscripts hug their name; keywords before a list do not.
            return !(previous.kind == .word || previous.kind == .quotedIdentifier) || spacedKeywords.contains(previous.text.lowercased())
        }
        return true
    }

    private static let spacedKeywords: Set<String> = [
        "in", "values", "from", "join", "on", "and", "or", "not", "where", "as", "exists", "select",
        "using", "set", "into", "by", "when", "then", "else", "any", "all", "with", "returning", "table",
    ]

    private static func isOperand(_ token: SQLToken) -> Bool {
        switch token.kind {
        case .literal, .quotedIdentifier: return true
        case .word: return !spacedKeywords.contains(token.text) && token.text != "is" && token.text != "like"
        case .punctuation: return token.text == ")" || token.text == "]"
        case .operator: return false
        }
    }

    private static func endOfString(_ bytes: [UInt8], from quote: Int, backslashEscapes: Bool) -> Int {
        var index = quote + 1
        while index < bytes.count {
            let byte = bytes[index]
            if backslashEscapes, byte == UInt8(ascii: "\\") {
                index += 2
                continue
            }
            if byte == UInt8(ascii: "'") {
                if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "'") {
                    index += 2
                    continue
                }
                return index + 1
            }
            index += 1
        }
        return bytes.count
    }

    private static func endOfDollarQuote(_ bytes: [UInt8], from start: Int) -> Int? {
        var index = start + 1
        while index < bytes.count, bytes[index] != UInt8(ascii: "$") {
            guard isWordPart(bytes[index]), !isDigit(bytes[index]) || index > start + 1 else { return nil }
            index += 1
        }
        guard index < bytes.count else { return nil }
        let tag = Array(bytes[start...index])
        index += 1
        while index + tag.count <= bytes.count {
            if bytes[index] == UInt8(ascii: "$"), Array(bytes[index..<(index + tag.count)]) == tag {
                return index + tag.count
            }
            index += 1
        }
        return bytes.count
    }

    private static func endOfNumber(_ bytes: [UInt8], from start: Int) -> Int {
        var index = start
        if bytes[index] == UInt8(ascii: "0"), index + 1 < bytes.count, [UInt8(ascii: "x"), UInt8(ascii: "X")].contains(bytes[index + 1]) {
            index += 2
            while index < bytes.count, isWordPart(bytes[index]) { index += 1 }
            return index
        }
        while index < bytes.count, isDigit(bytes[index]) || bytes[index] == UInt8(ascii: "_") { index += 1 }
        if index < bytes.count, bytes[index] == UInt8(ascii: "."),
            !(index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "."))
        {
            index += 1
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            var exponent = index + 1
            if exponent < bytes.count, bytes[exponent] == UInt8(ascii: "+") || bytes[exponent] == UInt8(ascii: "-") { exponent += 1 }
            if exponent < bytes.count, isDigit(bytes[exponent]) {
                index = exponent
                while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            }
        }
        return index
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0C
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    private static func isWordStart(_ byte: UInt8) -> Bool {
        (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A) || byte == UInt8(ascii: "_") || byte >= 0x80
    }

    private static func isWordPart(_ byte: UInt8) -> Bool {
        isWordStart(byte) || isDigit(byte) || byte == UInt8(ascii: "$")
    }

    private static func isOperatorChar(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "*"), UInt8(ascii: "/"), UInt8(ascii: "<"),
            UInt8(ascii: ">"), UInt8(ascii: "="), UInt8(ascii: "~"), UInt8(ascii: "!"), UInt8(ascii: "@"),
            UInt8(ascii: "#"), UInt8(ascii: "%"), UInt8(ascii: "^"), UInt8(ascii: "&"), UInt8(ascii: "|"),
            UInt8(ascii: "`"), UInt8(ascii: "?"), UInt8(ascii: ":"):
            return true
        default:
            return false
        }
    }
}
