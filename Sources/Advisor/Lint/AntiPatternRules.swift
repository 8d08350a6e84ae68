import Database

/// The SQL anti-pattern rules, each with a concrete rewrite.
public enum AntiPatternRules {
    /// All statement-level rules (SQL text, app statistics and plan).
    public static let all: [any LintRule] = [
        DeepOffsetRule(), LeadingWildcardLikeRule(), FunctionOnColumnRule(), NotInSubqueryRule(), OrAcrossColumnsRule(),
        SelectStarRule(), ExactCountRule(), ImplicitCastRule(), NPlusOneRule(),
    ]
}

/// `OFFSET 10000`: the server reads and discards every skipped row.
public struct DeepOffsetRule: LintRule {
    public let code = "deep_offset"
    /// Offsets from here on are "deep".
    public static let threshold = 1000
    public init() {}

    public func check(_ input: LintInput) -> [Finding] {
        let keys = input.shape.orderBy.map(\.column.description)
        let keyList = keys.isEmpty ? "sort_key, id" : keys.joined(separator: ", ")
        let placeholders = (keys.isEmpty ? ["sort_key", "id"] : keys).map { "$last_" + ($0.split(separator: ".").last.map(String.init) ?? $0) }.joined(separator: ", ")
        let fix = "keyset pagination: remember the last row's (\(keyList)) and ask for WHERE (\(keyList)) > (\(placeholders)) ORDER BY \(keyList) LIMIT n, with an index on (\(keyList))"
        switch input.shape.offset {
        case .constant(let n) where n >= Self.threshold:
            return [input.finding(.warning, code, why: "OFFSET \(n) makes PostgreSQL produce and discard \(n) rows on every call; deeper pages get slower", fix: fix)]
        case .parameter where input.shape.limit != nil:
            return [input.finding(.info, code, why: "OFFSET pagination: the cost of a page grows with its depth", fix: fix)]
        default:
            return []
        }
    }
}

/// `LIKE '%term%'`: no B-tree can serve a pattern that starts with a wildcard.
public struct LeadingWildcardLikeRule: LintRule {
    public let code = "leading_wildcard_like"
    public init() {}

    public func check(_ input: LintInput) -> [Finding] {
        input.shape.predicates.filter { $0.op == .like && ($0.pattern?.hasPrefix("%") == true || $0.pattern?.hasPrefix("_") == true) }.map { predicate in
            let table = input.owner(of: predicate.column)?.qualifiedName ?? predicate.column.qualifier ?? "the_table"
            return input.finding(
                .warning, code, table: table,
                why: "LIKE/ILIKE with a leading wildcard on \(predicate.column) cannot use a B-tree index: every row is read",
                fix: "CREATE EXTENSION IF NOT EXISTS pg_trgm; CREATE INDEX CONCURRENTLY ON \(table) USING gin (\(predicate.column.name) gin_trgm_ops); (or full-text search with a tsvector and a GIN index)"
            )
        }
    }
}

/// `WHERE lower(email) = $1`: the function hides the column from its index.
public struct FunctionOnColumnRule: LintRule {
    public let code = "function_on_column"
    public init() {}

    public func check(_ input: LintInput) -> [Finding] {
        input.shape.predicates.compactMap { predicate in
            guard let wrapper = predicate.wrapper, predicate.op != .like, predicate.op != .fullText else { return nil }
            let table = input.owner(of: predicate.column)
            // With a catalog, only an indexed column matters (the index is what the function defeats).
            if let table, let catalog = input.catalog, !catalog.indexes(on: table).contains(where: { $0.keyColumns.contains(predicate.column.name) }) { return nil }
            let expression = wrapper.hasPrefix("::") ? "(\(predicate.column.name))\(wrapper)" : "\(wrapper)(\(predicate.column.name))"
            let rewrite: String
            if wrapper == "date" || wrapper == "::date" {
                rewrite = "compare the bare column with a range: \(predicate.column.name) >= $day AND \(predicate.column.name) < $day + interval '1 day'"
            } else {
                rewrite = "compare the bare column (normalise the value instead), or add an expression index: CREATE INDEX CONCURRENTLY ON \(table?.qualifiedName ?? "the_table") ((\(expression)))"
            }
            return input.finding(.warning, code, table: table?.qualifiedName, why: "\(expression) wraps the column in a function or cast, so an index on \(predicate.column.name) cannot be used", fix: rewrite)
        }
    }
}

/// `NOT IN (SELECT …)`: wrong with NULLs and planned as a hashed or plain subplan.
public struct NotInSubqueryRule: LintRule {
    public let code = "not_in_subquery"
    public init() {}

    public func check(_ input: LintInput) -> [Finding] {
        guard input.shape.hasNotInSubquery else { return [] }
        return [input.finding(
            .warning, code,
            why: "NOT IN (SELECT …) returns no rows at all if the subquery yields one NULL, and cannot become an anti-join: with a large subquery it runs a subplan per row",
            fix: "rewrite as NOT EXISTS (SELECT 1 FROM … WHERE inner.key = outer.key), which plans as a hash or merge anti-join"
        )]
    }
}

/// `WHERE a = $1 OR b = $2`: one index cannot serve both sides.
public struct OrAcrossColumnsRule: LintRule {
    public let code = "or_across_columns"
    public init() {}

    public func check(_ input: LintInput) -> [Finding] {
        input.shape.disjunctions.compactMap { sides in
            let columns = Set(sides.map(\.name))
            guard columns.count > 1 else { return nil }
            let list = sides.map(\.description).joined(separator: " OR ")
            return input.finding(
                .info, code,
                why: "OR across different columns (\(list)) usually ends in a sequential scan or a BitmapOr of several indexes",
                fix: "split into one query per column joined with UNION (or UNION ALL when the sides cannot overlap), each with its own index: " +
                    sides.map { "SELECT … WHERE \($0.description) = …" }.joined(separator: " UNION ")
            )
        }
    }
}

/// `SELECT *` on a wide table: reads and ships every column, defeats index-only scans.
public struct SelectStarRule: LintRule {
    public let code = "select_star"
    /// A table with at least this many columns, or this average row width, is wide.
    public static let wideColumns = 10
    public static let wideBytes = 300
    public init() {}

    public func check(_ input: LintInput) -> [Finding] {
        guard input.shape.selectsStar, input.shape.kind == .select else { return [] }
        let tables = input.shape.tables.compactMap { ref in input.catalog?.table(named: ref.name, schema: ref.schema) }
        if input.catalog != nil {
            guard let wide = tables.first(where: { $0.columns.count >= Self.wideColumns || $0.averageRowWidth >= Self.wideBytes }) else { return [] }
            return [input.finding(.info, code, table: wide.qualifiedName,
                                  why: "SELECT * reads all \(wide.columns.count) columns (~\(wide.averageRowWidth) bytes a row) of \(wide.name): more I/O and network, and no index-only scan",
                                  fix: "list the columns the caller uses: SELECT \(wide.columns.prefix(3).map(\.name).joined(separator: ", ")), … FROM \(wide.name)")]
        }
        return [input.finding(.info, code, why: "SELECT * reads every column: more I/O and network, and no index-only scan", fix: "list the columns the caller uses")]
    }
}

/// `SELECT count(*) FROM big_table`: an exact count reads the whole table.
public struct ExactCountRule: LintRule {
    public let code = "exact_count"
    /// Tables from this many rows up are big.
    public static let bigRows = 100_000.0
    public init() {}

    public func check(_ input: LintInput) -> [Finding] {
        guard input.shape.countsAll, !input.shape.hasTopLevelWhere, input.shape.tables.count == 1, let ref = input.shape.tables.first else { return [] }
        let table = input.catalog?.table(named: ref.name, schema: ref.schema)
        if input.catalog != nil, (table?.rows ?? 0) < Self.bigRows { return [] }
        let name = table?.qualifiedName ?? ref.name
        let size = table.map { " (~\(Int($0.rows)) rows)" } ?? ""
        return [input.finding(
            .warning, code, table: name,
            why: "an exact count(*) of \(name)\(size) reads every visible row on each call (MVCC has no stored row count)",
            fix: "show an estimate: SELECT reltuples::bigint FROM pg_class WHERE oid = '\(name)'::regclass; or keep a counter table updated by the writes; or cap it: SELECT count(*) FROM (SELECT 1 FROM \(name) LIMIT 1001) s"
        )]
    }
}

/// A column converted to another type in the plan's conditions, though the SQL does not cast it.
public struct ImplicitCastRule: LintRule {
    public let code = "implicit_cast"
    public init() {}

    public func check(_ input: LintInput) -> [Finding] {
        guard let plan = input.plan else { return [] }
        let explicit = Set(input.shape.predicates.compactMap { $0.wrapper == nil ? nil : $0.column.name })
        var findings: [Finding] = []
        var seen: Set<String> = []
        for node in plan.root.allNodes {
            for condition in node.conditions {
                for (column, type) in Self.castColumns(condition) where !explicit.contains(column) && !seen.contains(column) {
                    seen.insert(column)
                    findings.append(input.finding(
                        .warning, code, table: node.relationName,
                        why: "\(column) is converted to \(type) to compare with the value (\(condition)), so its index cannot be used",
                        fix: "pass the value in the column's own type (e.g. bind an integer, not a numeric; text, not a different type) so the comparison needs no cast on the column"
                    ))
                }
            }
        }
        return findings
    }

    /// `(name)::type` occurrences: a column cast, as EXPLAIN prints them.
    static func castColumns(_ condition: String) -> [(String, String)] {
        let tokens = SQLLexer.tokens(condition)
        var result: [(String, String)] = []
        var i = 0
        while i + 4 < tokens.count {
            if tokens[i].isSymbol("("), tokens[i + 1].isName, tokens[i + 2].isSymbol(")"), tokens[i + 3].isSymbol("::"), tokens[i + 4].isName,
               i == 0 || !(tokens[i - 1].kind == .word) {
                result.append((tokens[i + 1].text, tokens[i + 4].text))
                i += 5
                continue
            }
            i += 1
        }
        return result
    }
}

/// Many calls of the same small statement per request: an N+1 loop in the app.
public struct NPlusOneRule: LintRule {
    public let code = "n_plus_one"
    /// Calls per request from which the pattern is reported.
    public static let callsPerRequest = 10.0
    public init() {}

    public func check(_ input: LintInput) -> [Finding] {
        guard let requests = input.statement.requests, requests > 0, input.shape.kind == .select else { return [] }
        let perRequest = input.statement.calls / requests
        guard perRequest >= Self.callsPerRequest else { return [] }
        let lookup = input.shape.predicates.first { $0.op == .equal && $0.operand == .parameter }?.column.description ?? "key"
        return [input.finding(
            perRequest >= 50 ? .critical : .warning, code,
            why: "runs \(Int(perRequest.rounded())) times per request on average: one query per item in a loop (N+1)",
            fix: "fetch all items at once: WHERE \(lookup) = ANY($1) with an array of keys (or a JOIN), then group in the app"
        )]
    }
}
