import Foundation

/// The size a B-tree will have once built, from HypoPG's estimate and the keys' statistics.
///
/// HypoPG sizes a B-tree as one index tuple per row. Since PostgreSQL 13 a B-tree stores a key that
/// repeats once per leaf page, followed by a list of 6-byte heap pointers (deduplication), so an
/// index on few distinct values is a fraction of that. The distinct combinations of several keys
/// are taken as the product of each key's distinct values (one more for NULL), capped at the rows,
/// which errs large for correlated keys; unknown statistics keep HypoPG's figure. Measured on
/// django-helpdesk (20,000 tickets, 60,000 follow-ups), built ÷ estimated: `(assigned_to_id,
/// status, queue_id)` 229 kB ÷ 681 kB (HypoPG alone: 1.3 MB), `(submitter_email)` 500 kB ÷ 461 kB
/// (1 MB), `(ticket_id, date)`, nearly unique, 1.9 MB ÷ 2.7 MB (unchanged).
enum IndexSizeEstimate {
    /// Bytes of one heap pointer in a posting list.
    static let postingBytes = 6.0

    /// Types whose B-tree indexes cannot deduplicate (PostgreSQL's `btequalimage` is false or absent).
    static func deduplicates(_ type: String) -> Bool {
        let t = type.lowercased()
        if t.hasSuffix("[]") { return false }
        return !["numeric", "real", "double precision", "jsonb", "json", "float", "range", "multirange", "record"].contains { t.hasPrefix($0) }
    }

    static func bytes(hypoPG: Int64, candidate: IndexCandidate, table: TableInfo?, serverMajor: Int) -> Int64 {
        guard serverMajor >= 13, candidate.method == "btree", candidate.include.isEmpty, let table, table.rows >= 1 else { return hypoPG }
        let rows = table.rows
        var combinations = 1.0
        var width = 0
        for key in candidate.keys {
            guard let column = table.column(key.column), deduplicates(column.type) else { return hypoPG }
            guard column.distinct != 0 else { return hypoPG }
            combinations *= column.distinctValues(rows: rows) + 1
            width += max(1, column.averageWidth)
        }
        let distinctShare = min(1, combinations / rows)
        // An index tuple: an 8-byte header and the keys, aligned to 8, plus a 4-byte line pointer.
        let tupleBytes = Double((8 + width + 7) / 8 * 8 + 4)
        let ratio = distinctShare + (1 - distinctShare) * min(1, postingBytes / tupleBytes)
        return max(8192, Int64((Double(hypoPG) * ratio).rounded()))
    }
}
