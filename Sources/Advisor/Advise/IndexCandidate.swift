/// One key of an index.
public struct IndexKey: Sendable, Hashable, Codable {
    public var column: String
    public var descending: Bool

    public init(_ column: String, descending: Bool = false) {
        self.column = column
        self.descending = descending
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
            SQLIdentifier.quote(key.column) + (operatorClass.map { " " + $0 } ?? "") + (key.descending ? " DESC" : "")
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

    /// A readable index name: table, columns, `idx` (at most 63 bytes).
    public var name: String {
        var parts = [tableName] + keys.map(\.column)
        if method == "gin" { parts.append(operatorClass == nil ? "gin" : "trgm") }
        if predicate != nil { parts.append("partial") }
        if !include.isEmpty { parts.append("covering") }
        let base = parts.joined(separator: "_").lowercased().filter { $0.isLetter || $0.isNumber || $0 == "_" }
        return String(base.prefix(59)) + "_idx"
    }

    /// The migration statement.
    public var migrationDDL: String {
        definition.replacingOccurrences(of: "CREATE INDEX ON", with: "CREATE INDEX CONCURRENTLY \(SQLIdentifier.quote(name)) ON") + ";"
    }

    /// True when `index` already serves everything this candidate would (same leading keys, same predicate).
    func isCovered(by index: IndexInfo) -> Bool {
        guard index.isValid, index.method == method, index.keyColumns.count >= keys.count else { return false }
        guard (index.predicate == nil && predicate == nil) || (index.predicate != nil && predicate != nil && index.predicate?.contains(predicate?.split(separator: " ").first.map(String.init) ?? "") == true) else { return false }
        if method == "gin" { return index.keyColumns.first == keys.first?.column }
        let directionsMatch = zip(index.keyOptions, keys).allSatisfy { option, key in
            let descending = option.hasSuffix("/1") || option.hasSuffix("/3")
            return descending == key.descending
        }
        let allIncluded = Set(include).isSubset(of: Set(index.keyColumns + index.includeColumns))
        return Array(index.keyColumns.prefix(keys.count)) == keys.map(\.column) && (directionsMatch || keys.count == 1) && allIncluded
    }
}
