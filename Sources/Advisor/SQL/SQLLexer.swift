/// One lexical token of a SQL statement.
public struct SQLToken: Sendable, Equatable {
    /// What kind of token this is.
    public enum Kind: Sendable, Equatable {
        /// A bare word: keyword or identifier, lowercased (PostgreSQL folds unquoted names).
        case word
        /// A `"quoted"` identifier, case kept.
        case quotedIdentifier
        /// A string literal (`'…'`, `E'…'`, `$$…$$`); `text` holds the unescaped value.
        case string
        /// A numeric literal.
        case number
        /// A positional parameter `$n`; `text` holds `n`.
        case parameter
        /// An operator (`=`, `<=`, `::`, `@@`, `~~*`, …).
        case symbol
        /// `(`, `)`, `,`, `.`, `;`, `[`, `]`.
        case punctuation
    }

    public var kind: Kind
    public var text: String

    public init(_ kind: Kind, _ text: String) {
        self.kind = kind
        self.text = text
    }

    /// True for a bare word equal to `keyword` (lowercase).
    public func isWord(_ keyword: String) -> Bool { kind == .word && text == keyword }
    /// True for punctuation or symbol `value`.
    public func isSymbol(_ value: String) -> Bool { (kind == .punctuation || kind == .symbol) && text == value }
    /// True for a literal constant (string or number).
    public var isConstant: Bool { kind == .string || kind == .number }
    /// True for a name (bare or quoted).
    public var isName: Bool { kind == .word || kind == .quotedIdentifier }
}

/// Splits SQL text into tokens; comments are dropped. Never fails: an unterminated literal ends at the text's end.
public enum SQLLexer {
    static let operatorCharacters: Set<Character> = ["+", "-", "*", "/", "<", ">", "=", "~", "!", "@", "#", "%", "^", "&", "|", "`", "?", ":"]

    /// The tokens of `sql`.
    public static func tokens(_ sql: String) -> [SQLToken] {
        let chars = Array(sql)
        var tokens: [SQLToken] = []
        var i = 0
        func peek(_ offset: Int) -> Character? { i + offset < chars.count ? chars[i + offset] : nil }
        while i < chars.count {
            let c = chars[i]
            if c.isWhitespace { i += 1; continue }
            if c == "-" && peek(1) == "-" {
                while i < chars.count && chars[i] != "\n" { i += 1 }
                continue
            }
            if c == "/" && peek(1) == "*" {
                var depth = 0
                repeat {
                    if chars[i] == "/" && peek(1) == "*" { depth += 1; i += 2; continue }
                    if chars[i] == "*" && peek(1) == "/" { depth -= 1; i += 2; continue }
                    i += 1
                } while i < chars.count && depth > 0
                continue
            }
            if (c == "E" || c == "e") && peek(1) == "'" {
                i += 1
                tokens.append(SQLToken(.string, readQuoted(chars, &i, quote: "'", backslashEscapes: true)))
                continue
            }
            if c == "'" {
                tokens.append(SQLToken(.string, readQuoted(chars, &i, quote: "'", backslashEscapes: false)))
                continue
            }
            if c == "\"" {
                tokens.append(SQLToken(.quotedIdentifier, readQuoted(chars, &i, quote: "\"", backslashEscapes: false)))
                continue
            }
            if c == "$" {
                if let next = peek(1), next.isNumber {
                    var j = i + 1
                    while j < chars.count && chars[j].isNumber { j += 1 }
                    tokens.append(SQLToken(.parameter, String(chars[(i + 1)..<j])))
                    i = j
                    continue
                }
                // Dollar quoting: $tag$ … $tag$
                var j = i + 1
                while j < chars.count && (chars[j].isLetter || chars[j].isNumber || chars[j] == "_") { j += 1 }
                if j < chars.count && chars[j] == "$" {
                    let tag = String(chars[i...j])
                    let tagChars = Array(tag)
                    var k = j + 1
                    var value = ""
                    while k < chars.count {
                        if chars[k] == "$" && k + tagChars.count <= chars.count && Array(chars[k..<(k + tagChars.count)]) == tagChars {
                            k += tagChars.count
                            break
                        }
                        value.append(chars[k])
                        k += 1
                    }
                    tokens.append(SQLToken(.string, value))
                    i = k
                    continue
                }
            }
            if c.isNumber || (c == "." && (peek(1)?.isNumber ?? false)) {
                var j = i
                while j < chars.count && (chars[j].isNumber || chars[j] == "." || chars[j] == "_"
                    || ((chars[j] == "e" || chars[j] == "E") && j + 1 < chars.count && (chars[j + 1].isNumber || chars[j + 1] == "-" || chars[j + 1] == "+"))
                    || ((chars[j] == "-" || chars[j] == "+") && j > i && (chars[j - 1] == "e" || chars[j - 1] == "E"))) {
                    j += 1
                }
                tokens.append(SQLToken(.number, String(chars[i..<j])))
                i = j
                continue
            }
            if c.isLetter || c == "_" {
                var j = i
                while j < chars.count && (chars[j].isLetter || chars[j].isNumber || chars[j] == "_" || chars[j] == "$") { j += 1 }
                tokens.append(SQLToken(.word, String(chars[i..<j]).lowercased()))
                i = j
                continue
            }
            if "(),.;[]".contains(c) {
                tokens.append(SQLToken(.punctuation, String(c)))
                i += 1
                continue
            }
            if operatorCharacters.contains(c) {
                var j = i
                while j < chars.count && operatorCharacters.contains(chars[j]) {
                    // `--` or `/*` inside an operator run starts a comment.
                    if j > i && ((chars[j] == "-" && j + 1 < chars.count && chars[j + 1] == "-") || (chars[j] == "/" && j + 1 < chars.count && chars[j + 1] == "*")) { break }
                    j += 1
                }
                tokens.append(SQLToken(.symbol, String(chars[i..<j])))
                i = j
                continue
            }
            tokens.append(SQLToken(.symbol, String(c)))
            i += 1
        }
        return tokens
    }

    private static func readQuoted(_ chars: [Character], _ i: inout Int, quote: Character, backslashEscapes: Bool) -> String {
        var value = ""
        i += 1
        while i < chars.count {
            let c = chars[i]
            if backslashEscapes && c == "\\" && i + 1 < chars.count {
                value.append(chars[i + 1])
                i += 2
                continue
            }
            if c == quote {
                if i + 1 < chars.count && chars[i + 1] == quote {
                    value.append(quote)
                    i += 2
                    continue
                }
                i += 1
                return value
            }
            value.append(c)
            i += 1
        }
        return value
    }
}
