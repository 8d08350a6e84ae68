/// The columns one statement constrains on one table, resolved against the catalog.
public struct TableAccess: Sendable, Equatable {
    public var table: TableInfo
    /// Equality and IN columns compared with a value (constant or parameter).
    public var equality: [String] = []
    /// Equality columns compared with a constant: candidates for a partial index.
    public var constantEquality: [(column: String, literal: String)] = []
    /// Columns equal to another table's column (join keys).
    public var joinKeys: [String] = []
    public var range: [String] = []
    /// ORDER BY keys, when they all belong to this table.
    public var order: [IndexKey] = []
    public var fullText: [String] = []
    /// Columns searched with LIKE/ILIKE patterns that no B-tree can use.
    public var substringSearch: [String] = []
    /// The columns the statement reads from this table, when it lists them.
    public var selected: [String]?

    public static func == (a: TableAccess, b: TableAccess) -> Bool {
        a.table == b.table && a.equality == b.equality && a.joinKeys == b.joinKeys && a.range == b.range && a.order == b.order
            && a.fullText == b.fullText && a.substringSearch == b.substringSearch && a.selected == b.selected
            && a.constantEquality.map(\.column) == b.constantEquality.map(\.column)
    }

    /// Every column this statement constrains or sorts by on the table.
    public var referencedColumns: Set<String> {
        Set(equality + joinKeys + range + order.map(\.column) + fullText + substringSearch + constantEquality.map(\.column))
    }
}

/// Turns statement shapes into index candidates: equality columns first, then one range column
/// or the ORDER BY keys; partial indexes for constant predicates; INCLUDE for covering.
public enum CandidateGenerator {
    /// Resolves a shape's predicates and ORDER BY to catalog tables.
    public static func accesses(_ shape: StatementShape, catalog: Catalog) -> [TableAccess] {
        var byTable: [Int64: TableAccess] = [:]
        var order: [Int64] = []
        var resolved: [String: TableInfo] = [:]
        for ref in shape.tables {
            if let table = catalog.table(named: ref.name, schema: ref.schema) {
                resolved[ref.alias ?? ref.name] = table
                resolved[ref.name] = resolved[ref.name] ?? table
                if byTable[table.oid] == nil { byTable[table.oid] = TableAccess(table: table); order.append(table.oid) }
            }
        }
        func table(of column: ColumnRef) -> TableInfo? {
            if let qualifier = column.qualifier { return resolved[qualifier].flatMap { $0.column(column.name) != nil ? $0 : nil } }
            let owners = order.compactMap { byTable[$0]?.table }.filter { $0.column(column.name) != nil }
            return owners.count == 1 ? owners[0] : nil
        }
        func update(_ table: TableInfo, _ change: (inout TableAccess) -> Void) {
            guard var access = byTable[table.oid] else { return }
            change(&access)
            byTable[table.oid] = access
        }
        for predicate in shape.predicates {
            guard let owner = table(of: predicate.column) else { continue }
            let name = predicate.column.name
            if predicate.op == .fullText { update(owner) { appendOnce(&$0.fullText, name) }; continue }
            if predicate.op == .like {
                if predicate.pattern.map({ $0.hasPrefix("%") || $0.hasPrefix("_") }) ?? true { update(owner) { appendOnce(&$0.substringSearch, name) } }
                continue
            }
            guard predicate.wrapper == nil else { continue }
            switch (predicate.op, predicate.operand) {
            case (.equal, .column(let other)):
                if let otherTable = table(of: other), otherTable.oid != owner.oid {
                    update(owner) { appendOnce(&$0.joinKeys, name) }
                    update(otherTable) { appendOnce(&$0.joinKeys, other.name) }
                }
            case (.equal, .constant(let literal)):
                update(owner) { access in
                    appendOnce(&access.equality, name)
                    if !access.constantEquality.contains(where: { $0.column == name }) { access.constantEquality.append((name, literal)) }
                }
            case (.equal, .parameter), (.inList, .parameter), (.inList, .constant), (.isNull, _):
                update(owner) { appendOnce(&$0.equality, name) }
            case (.range, .parameter), (.range, .constant):
                update(owner) { appendOnce(&$0.range, name) }
            default:
                continue
            }
        }
        if !shape.orderBy.isEmpty {
            let owners = shape.orderBy.map { table(of: $0.column) }
            if let first = owners.first, let owner = first, owners.allSatisfy({ $0?.oid == owner.oid }) {
                update(owner) { access in access.order = shape.orderBy.map { IndexKey($0.column.name, descending: $0.descending) } }
            }
        }
        if let columns = shape.selectColumns {
            for column in columns {
                guard let owner = table(of: column) else { continue }
                update(owner) { access in
                    var selected = access.selected ?? []
                    appendOnce(&selected, column.name)
                    access.selected = selected
                }
            }
        }
        return order.compactMap { byTable[$0] }
    }

    /// Candidate indexes for one table access, skipping those an existing index already provides.
    public static func candidates(for access: TableAccess, catalog: Catalog) -> [IndexCandidate] {
        let table = access.table
        let rows = max(table.rows, 1)
        func distinct(_ column: String) -> Double { table.column(column)?.distinctValues(rows: rows) ?? 0 }
        // Most selective equality column first (ties keep statement order).
        let equality = access.equality.enumerated().sorted { a, b in
            let da = distinct(a.element), db = distinct(b.element)
            return da != db ? da > db : a.offset < b.offset
        }.map(\.element)
        let lookups = uniq(equality + access.joinKeys)
        var keyLists: [[IndexKey]] = []
        for column in lookups { keyLists.append([IndexKey(column)]) }
        for column in access.range { keyLists.append([IndexKey(column)]) }
        if lookups.count > 1 { keyLists.append(lookups.map { IndexKey($0) }) }
        for column in access.range where !lookups.contains(column) {
            keyLists.append(lookups.map { IndexKey($0) } + [IndexKey(column)])
        }
        if !access.order.isEmpty {
            var order = access.order
            // A B-tree scans both ways: store the first key ascending.
            if order.first?.descending == true { order = order.map { IndexKey($0.column, descending: !$0.descending) } }
            let prefix = lookups.filter { column in !order.contains { $0.column == column } }
            keyLists.append(prefix.map { IndexKey($0) } + order)
            // Equality columns that are constant in a query need not precede the sort keys if a
            // partial index takes them; that variant is added below.
        }
        var result: [IndexCandidate] = []
        func add(_ candidate: IndexCandidate) {
            guard !candidate.keys.isEmpty, !result.contains(candidate) else { return }
            guard !catalog.indexes(on: table).contains(where: { candidate.isCovered(by: $0) }) else { return }
            result.append(candidate)
        }
        for keys in keyLists {
            add(IndexCandidate(table: table.qualifiedName, tableName: table.name, keys: keys))
        }
        // Partial: constant equality on a low-cardinality column becomes the index predicate.
        let partialColumns = access.constantEquality.filter { entry in
            let values = distinct(entry.column)
            return values > 0 ? values <= 20 : true
        }
        if !partialColumns.isEmpty {
            let predicate = partialColumns.map { "\(SQLIdentifier.quote($0.column)) = \(literal($0.literal, type: table.column($0.column)?.type))" }.joined(separator: " AND ")
            let fixed = Set(partialColumns.map(\.column))
            for keys in keyLists {
                let rest = keys.filter { !fixed.contains($0.column) }
                if !rest.isEmpty { add(IndexCandidate(table: table.qualifiedName, tableName: table.name, keys: rest, predicate: predicate)) }
            }
        }
        // Covering: the widest composite plus INCLUDE of the few other columns the statement reads.
        if let selected = access.selected, let widest = result.filter({ $0.method == "btree" }).max(by: { $0.keys.count < $1.keys.count }) {
            let extra = selected.filter { column in !widest.keys.contains { $0.column == column } }
            let narrow = extra.allSatisfy { (table.column($0)?.averageWidth ?? 0) <= 64 && !(table.column($0)?.type.contains("[]") ?? false) }
            if !extra.isEmpty && extra.count <= 4 && narrow {
                var covering = widest
                covering.include = extra
                add(covering)
            }
        }
        // GIN by rule: full-text columns and substring search (trigram).
        for column in access.fullText {
            add(IndexCandidate(table: table.qualifiedName, tableName: table.name, keys: [IndexKey(column)], method: "gin"))
        }
        for column in access.substringSearch where table.column(column)?.type.contains("text") == true || table.column(column)?.type.contains("char") == true {
            add(IndexCandidate(table: table.qualifiedName, tableName: table.name, keys: [IndexKey(column)], method: "gin", operatorClass: "gin_trgm_ops"))
        }
        return result
    }

    /// A literal as SQL for a partial-index predicate.
    static func literal(_ value: String, type: String?) -> String {
        let numeric = ["integer", "bigint", "smallint", "numeric", "real", "double precision"].contains(type ?? "")
        if numeric, Double(value) != nil { return value }
        if type == "boolean", ["true", "false"].contains(value.lowercased()) { return value.lowercased() }
        return "'" + value.replacingOccurrences(of: "'", with: "''") + "'"
    }

    static func appendOnce(_ list: inout [String], _ value: String) {
        if !list.contains(value) { list.append(value) }
    }

    static func uniq(_ list: [String]) -> [String] {
        var seen: Set<String> = []
        return list.filter { seen.insert($0).inserted }
    }
}
