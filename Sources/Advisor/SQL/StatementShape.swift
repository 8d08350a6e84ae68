/// A column as written in a statement: `alias.column` or a bare `column`.
public struct ColumnRef: Sendable, Hashable, Codable, CustomStringConvertible {
    public var qualifier: String?
    public var name: String

    public init(_ name: String, qualifier: String? = nil) {
        self.name = name
        self.qualifier = qualifier
    }

    public var description: String { qualifier.map { "\($0).\(name)" } ?? name }
}

/// A table named in FROM, JOIN, UPDATE, INSERT INTO or DELETE FROM.
public struct TableRef: Sendable, Hashable, Codable {
    public var schema: String?
    public var name: String
    public var alias: String?

    public init(name: String, schema: String? = nil, alias: String? = nil) {
        self.name = name
        self.schema = schema
        self.alias = alias
    }
}

/// The other side of a comparison.
public enum Operand: Sendable, Hashable, Codable {
    /// A literal, e.g. `'active'` or `42` (kept only to build partial indexes; never printed).
    case constant(String)
    /// A bind parameter or a value computed without the table's columns (`$1`, `now()`).
    case parameter
    /// Another column: a join key.
    case column(ColumnRef)
    /// An expression over columns.
    case expression
}

/// How a predicate compares its column.
public enum PredicateOperator: String, Sendable, Hashable, Codable {
    case equal, range, inList, like, isNull, isNotNull, notEqual, fullText, other
    /// `@>`: JSON or array containment, which only a GIN index serves.
    case contains
}

/// One conjunct of a WHERE or ON clause that constrains a column.
public struct Predicate: Sendable, Hashable, Codable {
    public var column: ColumnRef
    public var op: PredicateOperator
    public var operand: Operand
    /// The function or cast wrapped around the column (`lower`, `::date`), which stops a plain index.
    public var wrapper: String?
    /// The LIKE pattern's literal, when it is a constant (to spot a leading wildcard).
    public var pattern: String?
    /// The wrapped column as an indexable expression without qualifiers (`lower(email)`,
    /// `(created_at)::date`), when it has no parameters; nil for a bare column.
    public var expression: String?
    /// ILIKE / `~~*`: no B-tree serves it, whatever the pattern.
    public var caseInsensitive = false
    /// `n` when the other side is exactly the parameter `$n` (perhaps cast): a value the advisor may
    /// plan with a representative constant.
    public var parameterNumber: Int?
    /// The operator as written (`<`, `>=`, `=`) when the other side is a column: a comparison of two
    /// columns of one row is a condition a partial index can take as its predicate.
    public var symbol: String?
    /// From one side of an OR: it holds on that side only, so it is an index term alone (a BitmapOr
    /// arm), not a key to combine with the statement's other terms.
    public var onOneSideOfOr = false
    /// True for a join condition (`ON a.x = b.y` or `WHERE a.x = b.y`).
    public var isJoin: Bool { if case .column = operand { return true } else { return false } }

    public init(column: ColumnRef, op: PredicateOperator, operand: Operand, wrapper: String? = nil, pattern: String? = nil, expression: String? = nil, caseInsensitive: Bool = false, parameterNumber: Int? = nil, symbol: String? = nil) {
        self.column = column
        self.symbol = symbol
        self.op = op
        self.operand = operand
        self.wrapper = wrapper
        self.pattern = pattern
        self.expression = expression
        self.caseInsensitive = caseInsensitive
        self.parameterNumber = parameterNumber
    }
}

/// One ORDER BY key.
public struct OrderKey: Sendable, Hashable, Codable {
    public var column: ColumnRef
    public var descending: Bool

    public init(column: ColumnRef, descending: Bool) {
        self.column = column
        self.descending = descending
    }
}

/// A LIMIT or OFFSET value.
public enum RowCount: Sendable, Hashable, Codable {
    case constant(Int)
    case parameter
}

/// What kind of statement.
public enum StatementKind: String, Sendable, Codable {
    case select, insert, update, delete, other
}

/// What the advisor needs to know about one statement, read from its tokens.
public struct StatementShape: Sendable, Codable {
    public var kind: StatementKind = .other
    public var tables: [TableRef] = []
    public var predicates: [Predicate] = []
    /// Conjuncts that are disjunctions: the columns on each side of the OR.
    public var disjunctions: [[ColumnRef]] = []
    /// The top-level ORDER BY; empty when absent or when a key is an expression.
    public var orderBy: [OrderKey] = []
    /// True when a top-level ORDER BY key is not a plain column.
    public var orderByHasExpression = false
    public var limit: RowCount?
    public var offset: RowCount?
    /// The top-level select list has `*` or `alias.*`.
    public var selectsStar = false
    /// The top-level select list, when every item is a plain column.
    public var selectColumns: [ColumnRef]?
    /// Columns counted with `count(DISTINCT col)` in the top-level select list.
    public var distinctAggregates: [ColumnRef] = []
    /// Columns under `min(col)` / `max(col)` in the top-level select list: PostgreSQL answers them
    /// from an index whose key, after the equality terms, is `col` (the first row in order, LIMIT 1).
    public var extremeAggregates: [ColumnRef] = []
    /// The top-level select list is `count(*)` / `count(1)`.
    public var countsAll = false
    /// The top-level statement has a WHERE clause.
    public var hasTopLevelWhere = false
    /// `NOT IN (SELECT …)` appears.
    public var hasNotInSubquery = false
    /// Joins (`JOIN` keyword or several tables in FROM).
    public var joinCount = 0

    public init() {}

    /// The table a qualifier names (its alias or its own name).
    public func table(forQualifier qualifier: String) -> TableRef? {
        tables.first { $0.alias == qualifier } ?? tables.first { $0.alias == nil && $0.name == qualifier }
            ?? tables.first { $0.name == qualifier }
    }
}
