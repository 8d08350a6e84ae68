import Database

/// What the planner is given for one workload statement.
///
/// A generic plan does not know the values of `LIMIT $n` / `OFFSET $n` and assumes a LIMIT keeps
/// 10 % of the rows, which hides the gain of an index that serves `ORDER BY … LIMIT 20` (the sort
/// it saves looks as dear as the index scan it needs). So such a parameter is planned with a
/// representative value: the statement's own rows per call when pg_stat_statements knows them
/// (a page returns about its LIMIT), otherwise 20; OFFSET is planned as 0 (first pages dominate).
public struct PlannableStatement: Sendable, Equatable {
    /// The text to plan.
    public var sql: String
    /// Parameter types to declare in `PREPARE s(types)` (from an SQL-level PREPARE), empty when inferred.
    public var parameterTypes: [String]

    public init(sql: String, parameterTypes: [String] = []) {
        self.sql = sql
        self.parameterTypes = parameterTypes
    }

    /// Used when the statement's rows per call are unknown.
    static let defaultLimit = 20

    /// The plannable form of `statement`.
    public init(_ statement: WorkloadStatement) {
        var limit = Self.defaultLimit
        if let rows = statement.rows, statement.calls > 0, rows > 0 {
            limit = min(1000, max(1, Int((rows / statement.calls).rounded(.up))))
        }
        self = Self.withRepresentativeRowCounts(statement.planningSQL ?? statement.sql, parameterTypes: statement.parameterTypes ?? [], limit: limit, values: statement.parameterValues ?? [:])
    }

    /// `sql` with each `LIMIT $n` / `FETCH FIRST $n` set to `limit` and each `OFFSET $n` to 0, when
    /// that parameter appears nowhere else, and each `$n` in `values` replaced by its literal; the
    /// remaining parameters are renumbered densely (an unused `$n` below the highest would make
    /// PREPARE fail) and their declared types follow.
    public static func withRepresentativeRowCounts(_ sql: String, parameterTypes: [String], limit: Int, values: [Int: String] = [:]) -> PlannableStatement {
        var tokens = SQLLexer.tokens(sql)
        var uses: [String: Int] = [:]
        for token in tokens where token.kind == .parameter { uses[token.text, default: 0] += 1 }
        var removed: Set<Int> = []
        for i in tokens.indices where tokens[i].kind == .parameter {
            guard let number = Int(tokens[i].text), let literal = values[number] else { continue }
            removed.insert(number)
            tokens[i] = SQLLexer.tokens(literal).first ?? tokens[i]
        }
        for i in tokens.indices where tokens[i].kind == .parameter && uses[tokens[i].text] == 1 && i > 0 {
            let previous = tokens[i - 1]
            let isLimit = previous.isWord("limit") || ((previous.isWord("first") || previous.isWord("next")) && i > 1 && tokens[i - 2].isWord("fetch"))
            guard isLimit || previous.isWord("offset"), let number = Int(tokens[i].text) else { continue }
            removed.insert(number)
            tokens[i] = SQLToken(.number, isLimit ? String(limit) : "0")
        }
        guard !removed.isEmpty else { return PlannableStatement(sql: sql, parameterTypes: parameterTypes) }
        let remaining = Set(tokens.filter { $0.kind == .parameter }.compactMap { Int($0.text) }).sorted()
        var renumber: [Int: Int] = [:]
        for (index, number) in remaining.enumerated() { renumber[number] = index + 1 }
        for i in tokens.indices where tokens[i].kind == .parameter {
            if let number = Int(tokens[i].text), let new = renumber[number] { tokens[i] = SQLToken(.parameter, String(new)) }
        }
        var types: [String] = []
        if !parameterTypes.isEmpty {
            types = remaining.map { $0 - 1 < parameterTypes.count ? parameterTypes[$0 - 1] : "unknown" }
            while types.last == "unknown" { types.removeLast() }
        }
        return PlannableStatement(sql: SQLText.render(tokens), parameterTypes: types)
    }
}
