/// Splits SQL text into tokens by PostgreSQL's lexical rules (literals, quoted names, dollar quotes,
/// nested comments, operators); comments and whitespace are dropped. Never fails: an unterminated
/// literal or comment ends at the text's end. The one lexer of the store's query path and the advisor.
public enum SQLLexer {
    /// The tokens of `sql`.
    public static func tokens(_ sql: String) -> [SQLToken] {
        var lexer = Scanner(bytes: Array(sql.utf8))
        return lexer.all()
    }

    private struct Scanner {
        let bytes: [UInt8]
        var index = 0
        var tokens: [SQLToken] = []

        init(bytes: [UInt8]) { self.bytes = bytes }

        func at(_ offset: Int) -> UInt8? { index + offset < bytes.count ? bytes[index + offset] : nil }
        func text(_ range: Range<Int>) -> String { String(decoding: bytes[range], as: UTF8.self) }

        mutating func emit(_ kind: SQLToken.Kind, _ text: String, from start: Int) {
            tokens.append(SQLToken(kind, text, sourceRange: start..<index))
        }

        mutating func all() -> [SQLToken] {
            while index < bytes.count {
                let byte = bytes[index]
                let start = index
                switch byte {
                case _ where Byte.isSpace(byte):
                    index += 1
                case Byte.minus where at(1) == Byte.minus:
                    while index < bytes.count, bytes[index] != Byte.newline { index += 1 }
                case Byte.slash where at(1) == Byte.star:
                    skipBlockComment()
                case Byte.singleQuote:
                    emit(.string, quoted(closing: Byte.singleQuote, backslashEscapes: false), from: start)
                case Byte.doubleQuote:
                    emit(.quotedIdentifier, quoted(closing: Byte.doubleQuote, backslashEscapes: false), from: start)
                case Byte.dollar where at(1).map(Byte.isDigit) == true:
                    index += 1
                    while index < bytes.count, Byte.isDigit(bytes[index]) { index += 1 }
                    emit(.parameter, text((start + 1)..<index), from: start)
                case Byte.dollar:
                    if let body = dollarQuoted() {
                        emit(.string, body, from: start)
                    } else {
                        index += 1
                        emit(.symbol, "$", from: start)
                    }
                case _ where Byte.isDigit(byte) || (byte == Byte.dot && at(1).map(Byte.isDigit) == true):
                    index = endOfNumber(from: index)
                    emit(.number, text(start..<index), from: start)
                case _ where Byte.isWordStart(byte):
                    word(from: start)
                case _ where Byte.punctuation.contains(byte):
                    index += 1
                    emit(.punctuation, text(start..<index), from: start)
                default:
                    index += 1
                    if Byte.isOperator(byte) { extendOperator(from: start) }
                    emit(.symbol, text(start..<index), from: start)
                }
            }
            return tokens
        }

        /// A word, or a string constant with a prefix: E'…' (backslash escapes), B'…', X'…', N'…', U&'…'.
        mutating func word(from start: Int) {
            let upper = bytes[index] & 0xDF
            if at(1) == Byte.singleQuote, Byte.stringPrefixes.contains(upper) {
                index += 1
                emit(.string, quoted(closing: Byte.singleQuote, backslashEscapes: upper == Byte.upperE), from: start)
            } else if upper == Byte.upperU, at(1) == Byte.ampersand, at(2) == Byte.singleQuote {
                index += 2
                emit(.string, quoted(closing: Byte.singleQuote, backslashEscapes: false), from: start)
            } else {
                while index < bytes.count, Byte.isWordPart(bytes[index]) { index += 1 }
                // PostgreSQL folds unquoted names to lower case (ASCII letters only).
                emit(.word, String(decoding: bytes[start..<index].map(Byte.asciiLowercased), as: UTF8.self), from: start)
            }
        }

        /// The value between the quote at `index` and its closing quote (doubled quotes and, in E'…',
        /// backslashes escape); `index` ends after the closing quote.
        mutating func quoted(closing quote: UInt8, backslashEscapes: Bool) -> String {
            var value: [UInt8] = []
            index += 1
            while index < bytes.count {
                let byte = bytes[index]
                if backslashEscapes, byte == Byte.backslash, index + 1 < bytes.count {
                    value.append(bytes[index + 1])
                    index += 2
                    continue
                }
                if byte == quote {
                    if at(1) == quote {
                        value.append(quote)
                        index += 2
                        continue
                    }
                    index += 1
                    break
                }
                value.append(byte)
                index += 1
            }
            return String(decoding: value, as: UTF8.self)
        }

        /// `$tag$ … $tag$`: the body, or nil when `$` does not open a dollar quote.
        mutating func dollarQuoted() -> String? {
            var end = index + 1
            while end < bytes.count, bytes[end] != Byte.dollar {
                guard Byte.isWordPart(bytes[end]), bytes[end] != Byte.dollar, !Byte.isDigit(bytes[end]) || end > index + 1 else { return nil }
                end += 1
            }
            guard end < bytes.count else { return nil }
            let tag = bytes[index...end]
            let bodyStart = end + 1
            var cursor = bodyStart
            while cursor + tag.count <= bytes.count {
                if bytes[cursor] == Byte.dollar, bytes[cursor..<(cursor + tag.count)].elementsEqual(tag) {
                    index = cursor + tag.count
                    return text(bodyStart..<cursor)
                }
                cursor += 1
            }
            index = bytes.count
            return text(bodyStart..<bytes.count)
        }

        /// Block comments nest in PostgreSQL.
        mutating func skipBlockComment() {
            var depth = 0
            while index < bytes.count {
                if bytes[index] == Byte.slash, at(1) == Byte.star {
                    depth += 1
                    index += 2
                } else if bytes[index] == Byte.star, at(1) == Byte.slash {
                    depth -= 1
                    index += 2
                    if depth == 0 { return }
                } else {
                    index += 1
                }
            }
        }

        /// A run of operator characters, stopped by a comment start; as in PostgreSQL's lexer, `=-1`
        /// is `=` then `-1` (a trailing + or - ends a multi-character operator only when the run has
        /// one of ~!@#%^&|`?).
        mutating func extendOperator(from start: Int) {
            while index < bytes.count, Byte.isOperator(bytes[index]),
                !(bytes[index] == Byte.minus && at(1) == Byte.minus),
                !(bytes[index] == Byte.slash && at(1) == Byte.star)
            {
                index += 1
            }
            let run = bytes[start..<index]
            if run.count > 1, let last = run.last, last == Byte.minus || last == Byte.plus,
                !run.contains(where: Byte.nonStandardOperator.contains)
            {
                index -= 1
            }
        }

        func endOfNumber(from start: Int) -> Int {
            var index = start
            if bytes[index] == Byte.zero, index + 1 < bytes.count, bytes[index + 1] | 0x20 == Byte.lowerX {
                index += 2
                while index < bytes.count, Byte.isWordPart(bytes[index]) { index += 1 }
                return index
            }
            while index < bytes.count, Byte.isDigit(bytes[index]) || bytes[index] == Byte.underscore { index += 1 }
            if index < bytes.count, bytes[index] == Byte.dot, !(index + 1 < bytes.count && bytes[index + 1] == Byte.dot) {
                index += 1
                while index < bytes.count, Byte.isDigit(bytes[index]) { index += 1 }
            }
            if index < bytes.count, bytes[index] | 0x20 == Byte.lowerE {
                var exponent = index + 1
                if exponent < bytes.count, bytes[exponent] == Byte.plus || bytes[exponent] == Byte.minus { exponent += 1 }
                if exponent < bytes.count, Byte.isDigit(bytes[exponent]) {
                    index = exponent
                    while index < bytes.count, Byte.isDigit(bytes[index]) { index += 1 }
                }
            }
            return index
        }
    }
}

/// The bytes SQL's lexical rules name.
private enum Byte {
    static let minus = UInt8(ascii: "-"), plus = UInt8(ascii: "+"), slash = UInt8(ascii: "/"), star = UInt8(ascii: "*")
    static let newline = UInt8(ascii: "\n"), singleQuote = UInt8(ascii: "'"), doubleQuote = UInt8(ascii: "\"")
    static let dollar = UInt8(ascii: "$"), dot = UInt8(ascii: "."), backslash = UInt8(ascii: "\\")
    static let ampersand = UInt8(ascii: "&"), underscore = UInt8(ascii: "_"), zero = UInt8(ascii: "0")
    static let upperE = UInt8(ascii: "E"), upperU = UInt8(ascii: "U"), lowerE = UInt8(ascii: "e"), lowerX = UInt8(ascii: "x")
    static let stringPrefixes: [UInt8] = Array("EBXN".utf8)
    static let punctuation: [UInt8] = Array("(),;[].".utf8)
    static let operators: [UInt8] = Array("+-*/<>=~!@#%^&|`?:".utf8)
    static let nonStandardOperator: [UInt8] = Array("~!@#%^&|`?".utf8)

    static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0C }
    static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
    static func isWordStart(_ byte: UInt8) -> Bool {
        (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A) || byte == underscore || byte >= 0x80
    }
    static func isWordPart(_ byte: UInt8) -> Bool { isWordStart(byte) || isDigit(byte) || byte == dollar }
    static func isOperator(_ byte: UInt8) -> Bool { operators.contains(byte) }
    static func asciiLowercased(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte }
}
