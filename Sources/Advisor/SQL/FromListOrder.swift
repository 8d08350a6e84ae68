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
/// Only where that holds: a SELECT whose top-level FROM is plain tables, at most eight of them (the
/// default `join_collapse_limit` and `from_collapse_limit`, under which the planner searches every
/// order), joined by commas, `CROSS JOIN` or `[INNER] JOIN … ON`, and outer joins after the inner joins
/// a FROM item starts with (`a JOIN b ON … LEFT JOIN c ON …`, Django's shape), with the table among
/// those inner joins or at the head of an item: that item goes first, its inner joins reordered. Anything else
/// (the nullable side of an outer join, USING, NATURAL, subqueries or functions in FROM, a WITH clause)
/// keeps its text: nil.
enum FromListOrder {
    /// Words that end a top-level FROM clause.
    static let clauseEnds: Set<String> = [
        "where", "group", "having", "window", "order", "limit", "offset", "fetch", "for", "union", "intersect", "except", "returning",
    ]

    /// One FROM item: a table, then the joins hung on it.
    struct Chain {
        struct Join {
            /// `inner`, `cross`, `left`, `right` or `full`.
            var kind: String
            var reference: [SQLToken]
            /// The ON condition's tokens (none for CROSS JOIN).
            var condition: [SQLToken]
        }
        var head: [SQLToken]
        var joins: [Join] = []
        /// The head and the tables joined to it by inner joins before any other kind: reorderable.
        var innerPrefix: [[SQLToken]] {
            [head] + joins.prefix { $0.kind == "inner" || $0.kind == "cross" }.map(\.reference)
        }
    }

    /// `sql` with `table` (in `schema`, when the statement qualifies it) first in FROM; nil when it
    /// already is, when it is not there exactly once, or when the rewrite might change the result.
    static func withFirst(_ sql: String, table: String, schema: String) -> String? {
        let tokens = SQLLexer.tokens(sql).filter { !$0.isSymbol(";") }
        let depths = StatementParser.depthMap(tokens)
        guard tokens.first?.isWord("select") == true,
              let from = tokens.indices.first(where: { depths[$0] == 0 && tokens[$0].isWord("from") }) else { return nil }
        let end = tokens.indices.first { $0 > from && depths[$0] == 0 && tokens[$0].kind == .word && clauseEnds.contains(tokens[$0].text) } ?? tokens.count
        guard let chains = parse(tokens, depths, from + 1, end) else { return nil }
        let references = chains.flatMap { [$0.head] + $0.joins.map(\.reference) }
        guard references.count >= 2, references.count <= 8 else { return nil }
        func names(_ reference: [SQLToken]) -> (schema: String?, name: String) {
            reference.count >= 3 && reference[1].isSymbol(".") ? (reference[0].text, reference[2].text) : (nil, reference[0].text)
        }
        func isTarget(_ reference: [SQLToken]) -> Bool {
            let (s, n) = names(reference)
            return n == table && (s == nil || s == schema)
        }
        guard references.filter(isTarget).count == 1, !isTarget(references[0]) else { return nil }
        let comma = SQLToken(.punctuation, ",")
        func parenthesized(_ conditions: [[SQLToken]]) -> [SQLToken] {
            var out: [SQLToken] = []
            for (n, c) in conditions.enumerated() {
                if n > 0 { out.append(SQLToken(.word, "and")) }
                out += [SQLToken(.punctuation, "(")] + c + [SQLToken(.punctuation, ")")]
            }
            return out
        }
        // The chain holding the target among the inner joins it starts with goes first, that prefix
        // reordered with the target at its head, every prefix table joined ON TRUE but the last, which
        // takes all the prefix's conditions (inner joins: the same rows); its outer joins follow as
        // written, the other FROM items after (a comma list joins in any order).
        guard let c = chains.firstIndex(where: { $0.innerPrefix.contains(where: isTarget) }) else { return nil }
        let chain = chains[c]
        let prefix = chain.innerPrefix
        let conditions = chain.joins.prefix(prefix.count - 1).map(\.condition).filter { !$0.isEmpty }
        let ordered = prefix.filter(isTarget) + prefix.filter { !isTarget($0) }
        var out = Array(tokens[...from]) + ordered[0]
        for (n, reference) in ordered.dropFirst().enumerated() {
            let last = n == ordered.count - 2
            out += [SQLToken(.word, "join")] + reference + [SQLToken(.word, "on")]
            out += last && !conditions.isEmpty ? parenthesized(conditions) : [SQLToken(.word, "true")]
        }
        func written(_ joins: some Sequence<Chain.Join>) -> [SQLToken] {
            joins.flatMap { join in
                [SQLToken(.word, join.kind), SQLToken(.word, "join")] + join.reference
                    + (join.condition.isEmpty ? [] : [SQLToken(.word, "on")] + join.condition)
            }
        }
        out += written(chain.joins.dropFirst(prefix.count - 1))
        for (n, other) in chains.enumerated() where n != c {
            out += [comma] + other.head + written(other.joins)
        }
        return SQLText.render(out + Array(tokens[end...]))
    }

    /// The FROM clause `tokens[start..<end]` as chains of plain tables and joins; nil for anything else
    /// (subqueries, functions, LATERAL, ONLY, USING, NATURAL).
    static func parse(_ tokens: [SQLToken], _ depths: [Int], _ start: Int, _ end: Int) -> [Chain]? {
        // `name`, `schema.name`, then an optional `[AS] alias`: the reference and where it ends.
        func reference(at i: Int) -> (tokens: [SQLToken], next: Int)? {
            guard i < end, tokens[i].isName, tokens[i].kind != .word || !(StatementParser.reserved.contains(tokens[i].text)
                || ["only", "lateral"].contains(tokens[i].text)) else { return nil }
            var j = i + 1
            if j + 1 < end, tokens[j].isSymbol("."), tokens[j + 1].isName { j += 2 }
            if j < end, tokens[j].isWord("as") { j += 1 }
            if j < end, tokens[j].isName, !(tokens[j].kind == .word && (joinWords.contains(tokens[j].text) || StatementParser.reserved.contains(tokens[j].text))) { j += 1 }
            return (Array(tokens[i..<j]), j)
        }
        var chains: [Chain] = []
        var i = start
        while i < end {
            guard let head = reference(at: i) else { return nil }
            var chain = Chain(head: head.tokens)
            i = head.next
            while i < end, !tokens[i].isSymbol(",") {
                // `[INNER] JOIN`, `CROSS JOIN`, `LEFT|RIGHT|FULL [OUTER] JOIN`.
                var kind = "inner"
                if tokens[i].isWord("inner") || tokens[i].isWord("cross") {
                    kind = tokens[i].text
                    i += 1
                } else if tokens[i].isWord("left") || tokens[i].isWord("right") || tokens[i].isWord("full") {
                    kind = tokens[i].text
                    i += 1
                    if i < end, tokens[i].isWord("outer") { i += 1 }
                }
                guard i < end, tokens[i].isWord("join"), let joined = reference(at: i + 1) else { return nil }
                i = joined.next
                var condition: [SQLToken] = []
                if kind != "cross" {
                    guard i < end, tokens[i].isWord("on") else { return nil }
                    var k = i + 1
                    while k < end, !(depths[k] == 0 && (tokens[k].isSymbol(",") || (tokens[k].kind == .word && joinWords.contains(tokens[k].text)))) { k += 1 }
                    guard k > i + 1 else { return nil }
                    condition = Array(tokens[(i + 1)..<k])
                    i = k
                }
                chain.joins.append(Chain.Join(kind: kind, reference: joined.tokens, condition: condition))
            }
            chains.append(chain)
            if i < end { i += 1 }  // the comma
            guard i < end || !tokens[end - 1].isSymbol(",") else { return nil }
        }
        return chains
    }

    /// Words that start or qualify a join in FROM.
    static let joinWords: Set<String> = ["join", "inner", "cross", "left", "right", "full", "outer", "natural", "on", "using", "lateral"]
}
