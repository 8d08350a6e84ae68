import Database
import Foundation

/// One statement of the workload with how often it ran and how long it took.
public struct WorkloadStatement: Sendable, Codable, Equatable {
    /// The text to plan: with `$n` parameters (pg_stat_statements, the app) or literals (a file).
    public var sql: String
    /// How many times it ran (the weight of its cost).
    public var calls: Double
    /// Total execution time in milliseconds, when known.
    public var totalTimeMs: Double?
    /// Rows returned or affected in total, when known.
    public var rows: Double?
    /// HTTP requests during which it ran (the app's statistics), for N+1 detection.
    public var requests: Double?
    /// Parameter types declared by an SQL-level `PREPARE p(types) AS …` the text came from.
    public var parameterTypes: [String]?
    /// Constants (SQL literals) the advisor plans some `$n` with (`RepresentativeValues`).
    public var parameterValues: [Int: String]?
    /// The same statement as the advisor plans it, when that text differs (`FromListOrder`: the FROM
    /// list reordered so HypoPG's partial and expression indexes can match); nil to plan `sql`.
    public var planningSQL: String?

    public init(sql: String, calls: Double = 1, totalTimeMs: Double? = nil, rows: Double? = nil, requests: Double? = nil, parameterTypes: [String]? = nil) {
        self.sql = sql
        self.parameterTypes = parameterTypes
        self.calls = calls
        self.totalTimeMs = totalTimeMs
        self.rows = rows
        self.requests = requests
    }

    /// The statement without any value (its fingerprint's normalized text): safe to print.
    public var displayText: String { QueryFingerprint(sql: sql).normalized }

    /// Mean time per call in milliseconds.
    public var meanTimeMs: Double? { totalTimeMs.map { calls > 0 ? $0 / calls : 0 } }
}

/// A set of statements to analyze or advise on, and where it came from.
public struct Workload: Sendable {
    /// Where the numbers come from; decides how writes are counted.
    public enum Source: String, Sendable, Codable {
        case statStatements = "pg_stat_statements", file, appStats = "app"
    }

    public var source: Source
    public var statements: [WorkloadStatement]

    public init(source: Source, statements: [WorkloadStatement]) {
        self.source = source
        self.statements = Self.merge(statements.map(Self.unwrappingPrepare).filter(Self.isAdvisable))
    }

    /// `PREPARE p(types) AS stmt` is planned as `stmt` with those types; its EXECUTEs are already
    /// counted in the PREPARE's calls and time (pg_stat_statements charges them there).
    static func unwrappingPrepare(_ statement: WorkloadStatement) -> WorkloadStatement {
        guard let prepared = PreparedStatementText.unwrap(statement.sql) else { return statement }
        var statement = statement
        statement.sql = prepared.statement
        statement.parameterTypes = prepared.parameterTypes.isEmpty ? nil : prepared.parameterTypes
        return statement
    }

    /// Statements worth planning: DML on user tables, not the advisor's or the server's own.
    static func isAdvisable(_ statement: WorkloadStatement) -> Bool {
        let tokens = SQLLexer.tokens(statement.sql)
        guard let first = tokens.first, first.kind == .word,
              ["select", "with", "insert", "update", "delete", "values", "table"].contains(first.text) else { return false }
        let systemWords: Set<String> = ["pg_catalog", "information_schema", "pg_stat_statements", "pg_class", "pg_index",
                                        "pg_stat_user_tables", "pg_stat_user_indexes", "hypopg_list_indexes", "pg_namespace",
                                        "pg_attribute", "pg_stats", "pg_database", "pg_extension", "pg_settings", "pg_am",
                                        "pg_stat_activity", "pg_locks", "pg_stat_database", "pg_available_extensions", "pg_indexes",
                                        "pg_tables", "pg_statistic", "pg_inherits", "pg_constraint", "pg_type", "pg_proc"]
        if tokens.contains(where: { $0.kind == .word && (systemWords.contains($0.text) || $0.text.hasPrefix("hypopg") || $0.text.hasPrefix("pg_stat")) }) { return false }
        // One statement only: the text is planned as it is.
        if tokens.dropLast().contains(where: { $0.isSymbol(";") }) { return false }
        let shape = StatementParser.parse(tokens: tokens)
        return !shape.tables.isEmpty
    }

    /// Statements with the same fingerprint are one statement: calls and times add up. It is the
    /// store's own fingerprint (`QueryFingerprint`), so the rows of `/admin/queries` (whose texts
    /// are normalized already) group exactly as the store grouped them, and with pg_stat_statements'.
    static func merge(_ statements: [WorkloadStatement]) -> [WorkloadStatement] {
        var order: [UInt64] = []
        var merged: [UInt64: WorkloadStatement] = [:]
        for statement in statements {
            var statement = statement
            statement.sql = statement.sql.trimmingCharacters(in: .whitespacesAndNewlines)
            while statement.sql.hasSuffix(";") { statement.sql.removeLast() }
            let key = QueryFingerprint(sql: statement.sql).id
            if var existing = merged[key] {
                existing.calls += statement.calls
                existing.totalTimeMs = add(existing.totalTimeMs, statement.totalTimeMs)
                existing.rows = add(existing.rows, statement.rows)
                existing.requests = add(existing.requests, statement.requests)
                merged[key] = existing
            } else {
                order.append(key)
                merged[key] = statement
            }
        }
        return order.compactMap { merged[$0] }
    }

    private static func add(_ a: Double?, _ b: Double?) -> Double? {
        switch (a, b) {
        case (nil, nil): return nil
        default: return (a ?? 0) + (b ?? 0)
        }
    }

    /// Total time of the workload in milliseconds (0 when unknown).
    public var totalTimeMs: Double { statements.reduce(0) { $0 + ($1.totalTimeMs ?? 0) } }
}
