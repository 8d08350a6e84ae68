/// The columns one statement constrains on one table, resolved against the catalog.
///
/// Each list holds *terms*: a column name, or an indexable expression over one column
/// (`lower(email)`, `(created_at)::date`) whose column `expressionColumns` gives.
public struct TableAccess: Sendable, Equatable {
    public var table: TableInfo
    /// Equality and IN terms compared with a value (constant or parameter), and `IS NULL` columns.
    public var equality: [String] = []
    /// Equality terms that match several values (`IN (…)` with more than one, `= ANY(…)`, `IN (SELECT …)`):
    /// an index on them returns rows in key order per value, not in the order of the columns after them.
    public var multiValued: [String] = []
    /// Equality columns compared with a constant: candidates for a partial index.
    public var constantEquality: [(column: String, literal: String)] = []
    /// Columns tested with `IS NULL`: candidates for a partial index (`WHERE deleted_at IS NULL`).
    public var nullChecks: [String] = []
    /// Two columns of the same row compared (`l_commitdate < l_receiptdate`), as SQL: no parameter in
    /// them, so they keep the same rows on every call, and a partial index can take them as its predicate.
    public var columnComparisons: [String] = []
    /// Columns equal to another table's column (join keys).
    public var joinKeys: [String] = []
    public var range: [String] = []
    /// ORDER BY keys, when they all belong to this table.
    public var order: [IndexKey] = []
    public var fullText: [String] = []
    /// Terms searched with LIKE/ILIKE patterns that no B-tree can use (leading wildcard, ILIKE, a parameter pattern).
    public var substringSearch: [String] = []
    /// Terms searched with `LIKE 'prefix%'`: a B-tree with `text_pattern_ops` serves them in any collation.
    public var prefixSearch: [String] = []
    /// Terms tested with `@>` (JSON or array containment): only a GIN index serves them.
    public var containment: [String] = []
    /// Columns counted with `count(DISTINCT col)`.
    public var distinctCounted: [String] = []
    /// Columns under `min()` / `max()`.
    public var extremes: [String] = []
    /// Terms filtered on one side of an OR only: each an index of its own (a BitmapOr arm).
    public var orSides: [String] = []
    /// Columns under filters no B-tree key can search (`<>`, `NOT IN`, `IS NOT NULL`): an index-only
    /// scan can still apply them from the index when they are among its keys.
    public var filters: [String] = []
    /// The column under each expression term.
    public var expressionColumns: [String: String] = [:]
    /// The columns the statement reads from this table, when it lists them.
    public var selected: [String]?

    public static func == (a: TableAccess, b: TableAccess) -> Bool {
        a.table == b.table && a.equality == b.equality && a.joinKeys == b.joinKeys && a.range == b.range && a.order == b.order
            && a.fullText == b.fullText && a.substringSearch == b.substringSearch && a.selected == b.selected
            && a.constantEquality.map(\.column) == b.constantEquality.map(\.column) && a.nullChecks == b.nullChecks
            && a.prefixSearch == b.prefixSearch && a.expressionColumns == b.expressionColumns && a.containment == b.containment && a.distinctCounted == b.distinctCounted
            && a.multiValued == b.multiValued && a.extremes == b.extremes && a.orSides == b.orSides && a.filters == b.filters
            && a.columnComparisons == b.columnComparisons
    }

    /// The column a term is on.
    public func column(of term: String) -> String { expressionColumns[term] ?? term }

    /// The index key for a term: the column itself, or the expression over it.
    public func key(_ term: String, descending: Bool = false, operatorClass: String? = nil) -> IndexKey {
        if let column = expressionColumns[term] { return IndexKey(column, descending: descending, expression: term, operatorClass: operatorClass) }
        return IndexKey(term, descending: descending, operatorClass: operatorClass)
    }

    /// Every column this statement constrains or sorts by on the table.
    public var referencedColumns: Set<String> {
        Set((equality + joinKeys + range + fullText + substringSearch + prefixSearch + nullChecks + containment + filters).map(column(of:))
            + order.map(\.column) + constantEquality.map(\.column) + distinctCounted + extremes + orSides.map(column(of:)))
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
        // The table reference (alias, or name) a column is read from: two columns of one reference are
        // the same row's; a self-join's two references are not.
        func reference(of column: ColumnRef) -> String? {
            if let qualifier = column.qualifier { return shape.table(forQualifier: qualifier).map { $0.alias ?? $0.name } }
            let refs = shape.tables.filter { ref in resolved[ref.alias ?? ref.name]?.column(column.name) != nil }
            return refs.count == 1 ? refs[0].alias ?? refs[0].name : nil
        }
        for predicate in shape.predicates {
            guard let owner = table(of: predicate.column) else { continue }
            var name = predicate.column.name
            if case .column(let other) = predicate.operand, predicate.wrapper == nil, !predicate.onOneSideOfOr,
               let symbol = predicate.symbol, comparisonSymbols.contains(symbol), other.name != name,
               table(of: other)?.oid == owner.oid, let here = reference(of: predicate.column), here == reference(of: other) {
                let condition = "\(SQLIdentifier.quote(name)) \(symbol == "!=" ? "<>" : symbol) \(SQLIdentifier.quote(other.name))"
                update(owner) { appendOnce(&$0.columnComparisons, condition) }
                continue
            }
            if predicate.wrapper != nil {
                // `lower(email) = $1` needs an index on the expression, not on the column.
                guard let expression = predicate.expression else { continue }
                name = expression
                update(owner) { $0.expressionColumns[expression] = predicate.column.name }
            }
            if predicate.op == .fullText { update(owner) { appendOnce(&$0.fullText, name) }; continue }
            if predicate.op == .contains { update(owner) { appendOnce(&$0.containment, name) }; continue }
            if predicate.op == .like {
                let leadingWildcard = predicate.pattern.map { $0.hasPrefix("%") || $0.hasPrefix("_") } ?? true
                if leadingWildcard || predicate.caseInsensitive {
                    update(owner) { appendOnce(&$0.substringSearch, name) }
                } else {
                    update(owner) { appendOnce(&$0.prefixSearch, name) }
                }
                continue
            }
            if predicate.wrapper != nil, case .column = predicate.operand { continue }
            if [.notEqual, .other, .isNotNull].contains(predicate.op) {
                if predicate.wrapper == nil, !predicate.onOneSideOfOr, !predicate.isJoin { update(owner) { appendOnce(&$0.filters, name) } }
                continue
            }
            if predicate.onOneSideOfOr {
                if [.equal, .inList, .range].contains(predicate.op) { update(owner) { appendOnce(&$0.orSides, name) } }
                continue
            }
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
            case (.isNull, _):
                update(owner) { access in
                    appendOnce(&access.equality, name)
                    if predicate.wrapper == nil { appendOnce(&access.nullChecks, name) }
                }
            case (.equal, .parameter):
                update(owner) { appendOnce(&$0.equality, name) }
            case (.inList, .parameter), (.inList, .constant):
                update(owner) { access in
                    appendOnce(&access.equality, name)
                    appendOnce(&access.multiValued, name)
                }
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
        for column in shape.distinctAggregates {
            guard let owner = table(of: column) else { continue }
            update(owner) { appendOnce(&$0.distinctCounted, column.name) }
        }
        for column in shape.extremeAggregates {
            guard let owner = table(of: column) else { continue }
            update(owner) { appendOnce(&$0.extremes, column.name) }
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
        func distinct(_ term: String) -> Double { table.column(access.column(of: term))?.distinctValues(rows: rows) ?? 0 }
        func isText(_ term: String) -> Bool {
            let type = table.column(access.column(of: term))?.type ?? ""
            return type.contains("text") || type.contains("char")
        }
        // Most selective equality term first (ties keep statement order); `IS NULL` last: its
        // selectivity is the null fraction, not the column's distinct count.
        func rank(_ term: String) -> Double { access.nullChecks.contains(term) ? 1 : distinct(term) }
        let equality = access.equality.enumerated().sorted { a, b in
            let da = rank(a.element), db = rank(b.element)
            return da != db ? da > db : a.offset < b.offset
        }.map(\.element)
        let lookups = uniq(equality + access.joinKeys)
        let lookupKeys = lookups.map { access.key($0) }
        // `col = value`: one value, so the rows an index finds for it come in the order of its next keys
        // (not an IN list, `= ANY`, a semi-join, a join key or `IS NULL`).
        func isSingleValued(_ key: IndexKey) -> Bool {
            access.equality.contains(key.indexTerm) && !access.multiValued.contains(key.indexTerm) && !access.nullChecks.contains(key.column)
        }
        var keyLists: [[IndexKey]] = []
        for term in lookups { keyLists.append([access.key(term)]) }
        for term in access.range { keyLists.append([access.key(term)]) }
        for term in access.orSides { keyLists.append([access.key(term)]) }
        if lookups.count > 1 { keyLists.append(lookupKeys) }
        // The inner side of a nested loop looks up one join key value per outer row: that key first,
        // then the statement's equality terms on this table (all, and the two most selective alone) so
        // the scan returns only the rows they keep (TPC-H Q19: `(l_partkey, l_shipmode)`, a third of the
        // lines each lookup read with `(l_partkey)` alone).
        let joinLed = uniq(access.joinKeys).filter { !equality.contains($0) }.prefix(2)
        if !equality.isEmpty {
            for join in joinLed {
                keyLists.append(([join] + equality).map { access.key($0) })
                if equality.count > 1 { for term in equality.prefix(2) { keyLists.append([access.key(join), access.key(term)]) } }
            }
        }
        for term in access.range where !lookups.contains(term) {
            keyLists.append(lookupKeys + [access.key(term)])
        }
        // `count(DISTINCT col)`: the lookup terms then `col`, so an index-only scan reads the values
        // it counts, in order (PostgreSQL sorts a DISTINCT aggregate's input; here it comes sorted).
        for term in access.distinctCounted where !lookups.contains(term) {
            keyLists.append(lookupKeys + [access.key(term)])
        }
        // `max(col) … WHERE a = $1`: PostgreSQL reads the first row of `(a, col)` in order and stops.
        for term in access.extremes where !lookups.contains(term) {
            keyLists.append(lookupKeys.filter(isSingleValued) + [access.key(term)])
        }
        // Several ranges (TPC-H Q6: `l_shipdate`, `l_discount`, `l_quantity`): one leads the scan, the
        // others follow as keys it filters on before it fetches a row (each one alone, and all of them:
        // HypoPG sizes a wide index generously, which makes the planner cost its scan high).
        if access.range.count > 1 {
            for term in access.range where !lookups.contains(term) {
                let others = access.range.filter { $0 != term && !lookups.contains($0) }.map { access.key($0) }
                for other in others { keyLists.append(lookupKeys + [access.key(term), other]) }
                if others.count > 1 { keyLists.append(lookupKeys + [access.key(term)] + others) }
            }
        }
        // Filters no key can search (`NOT status IN (…)`) as trailing keys: an index-only scan applies
        // them from the index (`count(*) … WHERE assigned_to_id IS NULL AND NOT status IN (…)` reads no
        // table row with `(queue_id, status) WHERE assigned_to_id IS NULL`).
        let filterKeys = uniq(access.filters).filter { f in !lookupKeys.contains { $0.column == f } && !access.range.contains(f) }.map { access.key($0) }
        if !filterKeys.isEmpty { keyLists.append(lookupKeys + filterKeys) }
        // `LIKE 'abc%'`: a pattern-ops B-tree after the equality terms.
        for term in access.prefixSearch where isText(term) {
            keyLists.append(lookupKeys.filter { $0.indexTerm != term } + [access.key(term, operatorClass: "text_pattern_ops")])
        }
        if !access.order.isEmpty {
            var order = access.order
            // A B-tree scans both ways: store the first key ascending.
            if order.first?.descending == true { order = order.map { IndexKey($0.column, descending: !$0.descending) } }
            // Top-N: the equality terms, then the sort keys in their directions, so the plan reads
            // the first rows in order and stops (no Sort); also the sort keys alone, which serve
            // a listing without WHERE and one whose filters keep most rows.
            // An `IS NULL` column is no equality for ordering: the planner still sorts after
            // (account_id, deleted_at, created_at). It belongs in the partial predicate instead.
            let prefix = lookupKeys.filter { key in
                key.expression != nil || !(order.contains { $0.column == key.column } || access.nullChecks.contains(key.column))
            }
            keyLists.append(prefix + order)
            if !prefix.isEmpty { keyLists.append(order) }
            // Only single-valued equality keeps the order: after `status IN (1, 2)` or a join key the
            // index yields each value's rows in order, and the plan still sorts. So also the
            // `col = value` terms alone, then the sort keys: `(assigned_to_id, created)` for
            // `assigned_to_id = $1 AND status IN (…) ORDER BY created DESC LIMIT 25`.
            let ordered = prefix.filter(isSingleValued)
            if ordered != prefix && !ordered.isEmpty { keyLists.append(ordered + order) }
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
        // Partial: constant equality on a low-cardinality column, and `IS NULL`, become the index
        // predicate: the index holds only the rows the statement can return and drops those keys.
        let partialColumns = access.constantEquality.filter { entry in
            let values = distinct(entry.column)
            return values > 0 ? values <= 20 : true
        }
        let fixedConditions = partialColumns.map { "\(SQLIdentifier.quote($0.column)) = \(literal($0.literal, type: table.column($0.column)?.type))" }
            + access.nullChecks.map { "\(SQLIdentifier.quote($0)) IS NULL" }
        // Two columns of the row compared (TPC-H Q12's `l_commitdate < l_receiptdate AND l_shipdate <
        // l_commitdate`, a tenth of the lines): the index holds only the rows that pass, and the scan
        // fetches no row the comparison would throw away (Q12: 24 → 7.5 ms with a 320 kB partial index
        // on `l_receiptdate`, against 2.1 MB for the plain one). With constants too, both ways: the
        // constants' partial index may serve the statement's other calls.
        var predicates = [fixedConditions + access.columnComparisons]
        if !fixedConditions.isEmpty && !access.columnComparisons.isEmpty { predicates.append(fixedConditions) }
        for conditions in predicates where !conditions.isEmpty {
            let predicate = conditions.joined(separator: " AND ")
            let fixed = Set(partialColumns.map(\.column) + access.nullChecks)
            for keys in keyLists {
                let rest = keys.filter { !($0.expression == nil && fixed.contains($0.column)) }
                if !rest.isEmpty { add(IndexCandidate(table: table.qualifiedName, tableName: table.name, keys: rest, predicate: predicate)) }
            }
        }
        // Sparse columns: where a key column is NULL in most rows and the statement compares it with a
        // value (`=`, IN, a range, a join), no row it can return is NULL: `WHERE col IS NOT NULL`
        // leaves those rows out of the index (PostgreSQL proves the predicate from the strict
        // comparison, for parameters too). Same plans, a fraction of the bytes.
        let strict = Set((access.equality.filter { !access.nullChecks.contains($0) } + access.joinKeys + access.range))
        for keys in keyLists {
            let sparse = uniq(keys.filter { key in
                key.expression == nil && strict.contains(key.column)
                    && (table.column(key.column)?.nullFraction ?? 0) >= sparseNullFraction
            }.map(\.column))
            guard !sparse.isEmpty else { continue }
            let predicate = sparse.map { "\(SQLIdentifier.quote($0)) IS NOT NULL" }.joined(separator: " AND ")
            add(IndexCandidate(table: table.qualifiedName, tableName: table.name, keys: keys, predicate: predicate))
        }
        // Covering: the widest composite (and the widest partial one) plus INCLUDE of the few other
        // columns the statement reads, so an index-only scan can answer it.
        if let selected = access.selected {
            let btrees = result.filter { $0.method == "btree" }
            let widest = [btrees.filter { $0.predicate == nil }, btrees.filter { $0.predicate != nil }]
                .compactMap { group in group.max { $0.keys.count < $1.keys.count } }
            for base in widest {
                let extra = selected.filter { column in !base.keys.contains { $0.column == column && $0.expression == nil } }
                let narrow = extra.allSatisfy { (table.column($0)?.averageWidth ?? 0) <= 64 && !(table.column($0)?.type.contains("[]") ?? false) }
                if !extra.isEmpty && extra.count <= 4 && narrow {
                    var covering = base
                    covering.include = extra
                    add(covering)
                }
            }
        }
        // GIN by rule: full-text terms and substring search (trigram, on the expression when the
        // statement searches `upper(name)`).
        for term in access.fullText {
            add(IndexCandidate(table: table.qualifiedName, tableName: table.name, keys: [access.key(term)], method: "gin"))
        }
        for term in access.substringSearch where isText(term) {
            add(IndexCandidate(table: table.qualifiedName, tableName: table.name, keys: [access.key(term)], method: "gin", operatorClass: "gin_trgm_ops"))
        }
        // `doc @> '{"status": "open"}'`: GIN with jsonb_path_ops (smaller and faster than the default
        // jsonb_ops, and `@>` is all it has to serve); an array column takes the default array GIN.
        for term in access.containment {
            let type = table.column(access.column(of: term))?.type ?? ""
            let isJSON = access.expressionColumns[term] != nil ? !type.hasSuffix("[]") : type == "jsonb"
            guard isJSON || type.hasSuffix("[]") else { continue }
            add(IndexCandidate(table: table.qualifiedName, tableName: table.name, keys: [access.key(term)], method: "gin", operatorClass: isJSON ? "jsonb_path_ops" : nil))
        }
        return result
    }

    /// Comparisons of two columns of one row that a partial index's predicate can state as written.
    static let comparisonSymbols: Set<String> = ["<", ">", "<=", ">=", "=", "<>", "!="]

    /// The share of NULL rows from which a key column compared with values gets a `WHERE col IS NOT
    /// NULL` variant (at 30 % the partial index is about a third smaller).
    static let sparseNullFraction = 0.3

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
