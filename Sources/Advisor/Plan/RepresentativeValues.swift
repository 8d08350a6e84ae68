import Database
import Foundation

/// Constants to plan `col = $n` with, when the generic plan's guess hides what an index does.
///
/// A generic plan assumes every value of `col` is as common as the average (rows ÷ distinct
/// values). On a skewed column — most tickets closed, a few open — the statement the application
/// really runs asks for the rare values, and an index that makes it a lookup looks useless next
/// to a plan that expects to read a third of the table. pg_stat_statements does not keep the
/// values, but it keeps the rows each call returned: the most-common value (pg_stats) whose row
/// count is closest to that is the representative one. It replaces `$n` only when it explains the
/// observed rows at least three times better than the generic guess.
enum RepresentativeValues {
    /// How much better (as a factor on row counts) the chosen value must explain the rows per call.
    static let minimumImprovement = 3.0

    /// `$n` → SQL literal, for the parameters worth planning with a constant.
    static func choose(for statement: WorkloadStatement, shape: StatementShape, catalog: Catalog) -> [Int: String] {
        guard shape.kind == .select, shape.limit == nil, let rows = statement.rows, statement.calls > 0 else { return [:] }
        let observed = max(1, rows / statement.calls)
        var uses: [Int: Int] = [:]
        for token in SQLLexer.tokens(statement.sql) where token.kind == .parameter {
            if let n = Int(token.text) { uses[n, default: 0] += 1 }
        }
        var values: [Int: String] = [:]
        for predicate in shape.predicates where predicate.op == .equal && predicate.wrapper == nil {
            guard let n = predicate.parameterNumber, uses[n] == 1, values[n] == nil,
                  let table = table(of: predicate.column, shape: shape, catalog: catalog),
                  let column = table.column(predicate.column.name), column.commonValues.count >= 2 else { continue }
            let tableRows = max(table.rows, 1)
            let generic = tableRows / max(1, column.distinctValues(rows: tableRows))
            func distance(_ count: Double) -> Double { abs(log(max(count, 1)) - log(observed)) }
            let best = zip(column.commonValues, column.commonFrequencies).min { distance($0.1 * tableRows) < distance($1.1 * tableRows) }
            guard let best, distance(best.1 * tableRows) + log(minimumImprovement) < distance(generic) else { continue }
            values[n] = "'" + best.0.replacingOccurrences(of: "'", with: "''") + "'"
        }
        return values
    }

    /// The catalog table a column reference belongs to (by qualifier, or the only table that has it).
    static func table(of column: ColumnRef, shape: StatementShape, catalog: Catalog) -> TableInfo? {
        if let qualifier = column.qualifier {
            guard let ref = shape.table(forQualifier: qualifier) else { return nil }
            return catalog.table(named: ref.name, schema: ref.schema)
        }
        let owners = shape.tables.compactMap { catalog.table(named: $0.name, schema: $0.schema) }.filter { $0.column(column.name) != nil }
        return Set(owners.map(\.oid)).count == 1 ? owners.first : nil
    }
}
