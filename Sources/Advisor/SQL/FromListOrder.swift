import Database

/// The same SELECT with one table moved to the head of its FROM list, so HypoPG can show the
/// planner a partial or expression index on it.
///
/// HypoPG (1.3.1 here, and its master) hands the planner a hypothetical index's predicate and
/// expressions as parsed against range-table entry 1, and does not renumber them for the entry the
/// table really has (PostgreSQL's `get_relation_info` does, with `ChangeVarNodes`). On any other
/// table of a statement the predicate never matches the statement's own conditions and the planner
/// never takes the index: TPC-H Q12 (`FROM orders, lineitem … AND l_commitdate < l_receiptdate AND
/// l_shipdate < l_commitdate`) planned a partial index on lineitem as useless; built, it took the
/// query from 24 to 7.5 ms. PostgreSQL numbers the range table in FROM order and joins a list of
/// tables, or inner joins, in whatever order it finds cheapest, so with the table first the plan is
/// the same and HypoPG's view is right.
///
/// Only where that holds: a SELECT whose top-level FROM is plain tables, joined by commas, `CROSS
/// JOIN` or `[INNER] JOIN … ON` (the ON conditions move into WHERE), at most eight of them (the
/// default `join_collapse_limit` and `from_collapse_limit`, under which the planner searches every
/// order). Anything else (outer joins, USING, subqueries or functions in FROM, a WITH clause) keeps
/// its text: nil.
enum FromListOrder {
    /// Words that end a top-level FROM clause.
    static let clauseEnds: Set<String> = [
        "where", "group", "having", "window", "order", "limit", "offset", "fetch", "for", "union", "intersect", "except", "returning",
    ]
    /// Words after WHERE's condition that end it.
    static let afterWhere: Set<String> = ["group", "having", "window", "order", "limit", "offset", "fetch", "for", "union", "intersect", "except"]

    /// `sql` with `table` (in `schema`, when the statement qualifies it) first in FROM; nil when it
    /// already is, when it is not there exactly once, or when the rewrite might change the result.
    static func withFirst(_ sql: String, table: String, schema: String) -> String? {
        let tokens = SQLLexer.tokens(sql).filter { !$0.isSymbol(";") }
        let depths = StatementParser.depthMap(tokens)
        guard tokens.first?.isWord("select") == true,
              let from = tokens.indices.first(where: { depths[$0] == 0 && tokens[$0].isWord("from") }) else { return nil }
        let end = tokens.indices.first { $0 > from && depths[$0] == 0 && tokens[$0].kind == .word && clauseEnds.contains(tokens[$0].text) } ?? tokens.count
        // The FROM items: table references, and the ON conditions of the inner joins between them.
        var references: [[SQLToken]] = []
        var conditions: [[SQLToken]] = []
        var i = from + 1
        var expectTable = true
        while i < end {
            let token = tokens[i]
            if expectTable {
                // `name`, `schema.name`, then an optional `[AS] alias`.
                if token.isWord("only") || token.isWord("lateral") { return nil }
                var j = i
                guard tokens[j].isName, !StatementParser.reserved.contains(tokens[j].kind == .word ? tokens[j].text : "") else { return nil }
                j += 1
                if j + 1 < end, tokens[j].isSymbol("."), tokens[j + 1].isName { j += 2 }
                if j < end, tokens[j].isWord("as") { j += 1 }
                if j < end, tokens[j].isName, !(tokens[j].kind == .word && (joinWords.contains(tokens[j].text) || StatementParser.reserved.contains(tokens[j].text))) { j += 1 }
                references.append(Array(tokens[i..<j]))
                i = j
                expectTable = false
                continue
            }
            if token.isSymbol(",") { expectTable = true; i += 1; continue }
            if token.isWord("cross"), i + 1 < end, tokens[i + 1].isWord("join") { expectTable = true; i += 2; continue }
            if token.isWord("inner"), i + 1 < end, tokens[i + 1].isWord("join") { i += 1; continue }
            if token.isWord("join") {
                // `JOIN t ON condition`: the condition runs to the next join or the clause's end.
                i += 1
                guard i < end else { return nil }
                let start = references.count
                var j = i
                // Read the table reference the same way, then require ON.
                guard tokens[j].isName, tokens[j].kind != .word || !StatementParser.reserved.contains(tokens[j].text) else { return nil }
                j += 1
                if j + 1 < end, tokens[j].isSymbol("."), tokens[j + 1].isName { j += 2 }
                if j < end, tokens[j].isWord("as") { j += 1 }
                if j < end, tokens[j].isName, !(tokens[j].kind == .word && (joinWords.contains(tokens[j].text) || StatementParser.reserved.contains(tokens[j].text))) { j += 1 }
                references.append(Array(tokens[i..<j]))
                guard references.count == start + 1, j < end, tokens[j].isWord("on") else { return nil }
                var k = j + 1
                while k < end, !(depths[k] == 0 && (tokens[k].isSymbol(",") || (tokens[k].kind == .word && joinWords.contains(tokens[k].text)))) { k += 1 }
                guard k > j + 1 else { return nil }
                conditions.append(Array(tokens[(j + 1)..<k]))
                i = k
                continue
            }
            return nil
        }
        guard !expectTable, references.count >= 2, references.count <= 8 else { return nil }
        func names(_ reference: [SQLToken]) -> (schema: String?, name: String) {
            reference.count >= 3 && reference[1].isSymbol(".") ? (reference[0].text, reference[2].text) : (nil, reference[0].text)
        }
        let matches = references.indices.filter { index in
            let (s, n) = names(references[index])
            return n == table && (s == nil || s == schema)
        }
        guard matches.count == 1, let target = matches.first, target > 0 else { return nil }
        var ordered = [references[target]]
        ordered += references.indices.filter { $0 != target }.map { references[$0] }
        let comma = SQLToken(.punctuation, ",")
        var out = Array(tokens[...from])
        for (n, reference) in ordered.enumerated() {
            if n > 0 { out.append(comma) }
            out += reference
        }
        var rest = Array(tokens[end...])
        if !conditions.isEmpty {
            var condition: [SQLToken] = []
            for (n, c) in conditions.enumerated() {
                if n > 0 { condition.append(SQLToken(.word, "and")) }
                condition += [SQLToken(.punctuation, "(")] + c + [SQLToken(.punctuation, ")")]
            }
            let restDepths = StatementParser.depthMap(rest)
            if rest.first?.isWord("where") == true {
                let stop = rest.indices.first { $0 > 0 && restDepths[$0] == 0 && rest[$0].kind == .word && afterWhere.contains(rest[$0].text) } ?? rest.count
                rest = [SQLToken(.word, "where")] + condition + [SQLToken(.word, "and"), SQLToken(.punctuation, "(")]
                    + Array(rest[1..<stop]) + [SQLToken(.punctuation, ")")] + Array(rest[stop...])
            } else {
                rest = [SQLToken(.word, "where")] + condition + rest
            }
        }
        return SQLText.render(out + rest)
    }

    /// Words that start or qualify a join in FROM.
    static let joinWords: Set<String> = ["join", "inner", "cross", "left", "right", "full", "outer", "natural", "on", "using", "lateral"]
}
