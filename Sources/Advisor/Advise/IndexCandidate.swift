import Database
import Reproducible

/// One key of an index: a column, or an expression over one column.
public struct IndexKey: Sendable, Hashable, Codable {
    /// The column (for an expression key, the column under it).
    public var column: String
    public var descending: Bool
    /// `lower(email)`, `(created_at)::date`: the key is this expression.
    public var expression: String?
    /// A B-tree operator class, e.g. `text_pattern_ops` for `LIKE 'abc%'`.
    public var operatorClass: String?

    public init(_ column: String, descending: Bool = false, expression: String? = nil, operatorClass: String? = nil) {
        self.column = column
        self.descending = descending
        self.expression = expression
        self.operatorClass = operatorClass
    }

    /// The key as `pg_get_indexdef` prints one column of an index: the column or the expression.
    public var indexTerm: String { expression ?? column }

    /// The key as written in CREATE INDEX (an expression in parentheses).
    var sql: String { expression.map { "(\($0))" } ?? SQLIdentifier.quote(column) }

    /// The key in an index name: `lower(email)` → `lower_email`.
    var namePart: String {
        guard let expression else { return column }
        return expression.split { !($0.isLetter || $0.isNumber || $0 == "_") }.joined(separator: "_")
    }
}

/// An index the advisor might recommend.
public struct IndexCandidate: Sendable, Hashable, Codable {
    /// The table's SQL name (schema-qualified outside `public`).
    public var table: String
    /// The table's bare name, for the index name.
    public var tableName: String
    public var keys: [IndexKey]
    public var include: [String] = []
    /// Partial index predicate (`status = 'active'`).
    public var predicate: String?
    /// `btree`, or `gin` for full-text and trigram search.
    public var method: String = "btree"
    /// Operator class of the only key (e.g. `gin_trgm_ops`).
    public var operatorClass: String?

    public init(table: String, tableName: String, keys: [IndexKey], include: [String] = [], predicate: String? = nil, method: String = "btree", operatorClass: String? = nil) {
        self.table = table
        self.tableName = tableName
        self.keys = keys
        self.include = include
        self.predicate = predicate
        self.method = method
        self.operatorClass = operatorClass
    }

    /// HypoPG 1.3 simulates B-tree indexes only; GIN candidates are recommended by rule.
    public var canSimulate: Bool { method == "btree" }

    /// The column list with directions and operator class.
    var columnList: String {
        keys.map { key in
            key.sql + ((key.operatorClass ?? operatorClass).map { " " + $0 } ?? "") + (key.descending ? " DESC" : "")
        }.joined(separator: ", ")
    }

    /// `CREATE INDEX ON …` without a name (what HypoPG takes).
    public var definition: String {
        var sql = "CREATE INDEX ON \(table)"
        if method != "btree" { sql += " USING \(method)" }
        sql += " (\(columnList))"
        if !include.isEmpty { sql += " INCLUDE (\(include.map(SQLIdentifier.quote).joined(separator: ", ")))" }
        if let predicate { sql += " WHERE \(predicate)" }
        return sql
    }

    /// A readable index name: table, columns, the partial predicate's columns, `idx` (at most 63
    /// bytes). Two candidates of one advice differ in one of those, or, when the name is cut to fit,
    /// in the hash of their definitions that ends it.
    public var name: String {
        var parts = [tableName] + keys.map(\.namePart)
        if method == "gin" { parts.append(operatorClass == "gin_trgm_ops" ? "trgm" : operatorClass == "jsonb_path_ops" ? "path_gin" : "gin") }
        if let predicate {
            // `(l_orderkey) WHERE l_returnflag = 'R'` and `(l_orderkey) WHERE l_commitdate < l_receiptdate`.
            var seen = Set(keys.filter { $0.expression == nil }.map(\.column))
            let columns = SQLLexer.tokens(predicate).filter { $0.isName && !Self.predicateWords.contains($0.text) }.map(\.text)
            parts += columns.filter { seen.insert($0).inserted }
            parts.append("partial")
        }
        if !include.isEmpty { parts.append("covering") }
        let base = parts.joined(separator: "_").lowercased().filter { $0.isLetter || $0.isNumber || $0 == "_" }
        guard base.count > 59 else { return base + "_idx" }
        let hash = String(FNV1a.hex16(FNV1a.hash(definition.utf8)).prefix(6))
        return String(base.prefix(52)) + "_" + hash + "_idx"
    }

    /// Words of a partial predicate that name no column.
    static let predicateWords: Set<String> = ["and", "or", "not", "is", "null", "true", "false", "in", "like", "between"]

    /// The migration statement.
    public var migrationDDL: String { migrationDDL(named: name) }

    /// The migration statement, creating the index as `indexName`.
    public func migrationDDL(named indexName: String) -> String {
        definition.replacingOccurrences(of: "CREATE INDEX ON", with: "CREATE INDEX CONCURRENTLY \(SQLIdentifier.quote(indexName)) ON") + ";"
    }

    /// `name`, or `name` with `_2`, `_3` … before `_idx` when `taken` already has it.
    func name(avoiding taken: Set<String>) -> String {
        var unique = name
        var n = 2
        while taken.contains(unique) {
            let suffix = "_\(n)_idx"
            unique = String(name.dropLast(4).prefix(63 - suffix.count)) + suffix
            n += 1
        }
        return unique
    }

    /// True when `index` already serves everything this candidate would (same keys, and the same
    /// predicate or none).
    ///
    /// A wider index that merely starts with the candidate's keys does not count: measured on TPC-H
    /// Q4, the planner took a fresh `lineitem (l_orderkey)` for a nested-loop semi-join (13 ms) where
    /// it would not take the primary key `(l_orderkey, l_linenumber)` (hash join, 60 ms). HypoPG
    /// costs the narrower candidate and the selection keeps it only if the plan gets cheaper.
    func isCovered(by index: IndexInfo) -> Bool {
        guard index.isValid, index.method == method, index.keyColumns.count >= keys.count else { return false }
        // An index without a predicate serves whatever the same keys with a predicate would.
        if let indexPredicate = index.predicate {
            guard let first = predicate?.split(separator: " ").first, indexPredicate.contains(first) else { return false }
        }
        if method == "gin" {
            let sameClass = operatorClass.map { index.definition.contains($0) } ?? !index.definition.contains("_ops")
            return index.keyColumns.first == keys.first?.indexTerm && sameClass
        }
        // A pattern-ops key needs an index built with that operator class.
        for key in keys { if let opclass = key.operatorClass, !index.definition.contains(opclass) { return false } }
        let directionsMatch = zip(index.keyOptions, keys).allSatisfy { option, key in
            let descending = option.hasSuffix("/1") || option.hasSuffix("/3")
            return descending == key.descending
        }
        let allIncluded = Set(include).isSubset(of: Set(index.keyColumns + index.includeColumns))
        return index.keyColumns == keys.map(\.indexTerm) && (directionsMatch || keys.count == 1) && allIncluded
    }
}
