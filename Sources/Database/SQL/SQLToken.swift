/// One lexical token of a SQL statement.
public struct SQLToken: Sendable {
    /// What kind of token this is.
    public enum Kind: Sendable, Equatable {
        /// A bare word: keyword or identifier, lowercased (PostgreSQL folds unquoted names).
        case word
        /// A `"quoted"` identifier; `text` holds the name, case kept, without quotes.
        case quotedIdentifier
        /// A string constant (`'…'`, `E'…'`, `$$…$$`, `B'…'`, `U&'…'`); `text` holds the unescaped value.
        case string
        /// A numeric constant, as written.
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
    /// Where the token stands in the lexed text, as UTF-8 offsets (empty for a token made in code).
    public var sourceRange: Range<Int>

    public init(_ kind: Kind, _ text: String, sourceRange: Range<Int> = 0..<0) {
        self.kind = kind
        self.text = text
        self.sourceRange = sourceRange
    }

    /// True for a bare word equal to `keyword` (lowercase).
    public func isWord(_ keyword: String) -> Bool { kind == .word && text == keyword }
    /// True for punctuation or symbol `value`.
    public func isSymbol(_ value: String) -> Bool { (kind == .punctuation || kind == .symbol) && text == value }
    /// True for a literal constant (string or number).
    public var isConstant: Bool { kind == .string || kind == .number }
    /// True for a value: a constant or a parameter (what a fingerprint replaces by `$n`).
    public var isValue: Bool { kind == .string || kind == .number || kind == .parameter }
    /// True for a name (bare or quoted).
    public var isName: Bool { kind == .word || kind == .quotedIdentifier }
}

/// Two tokens are equal when they say the same thing, wherever they stand.
extension SQLToken: Equatable {
    public static func == (lhs: SQLToken, rhs: SQLToken) -> Bool { lhs.kind == rhs.kind && lhs.text == rhs.text }
}
