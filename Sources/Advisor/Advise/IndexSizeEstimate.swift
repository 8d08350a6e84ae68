import Foundation

/// The size a B-tree will have once built, from HypoPG's estimate and the keys' statistics.
///
/// HypoPG sizes a B-tree as one index tuple per row, and generously (its 2.7 MB for django-helpdesk's
/// `(ticket_id, date)` builds as 1.9 MB). Since PostgreSQL 13 a B-tree also stores a key that repeats
/// once per leaf page, followed by a list of 6-byte heap pointers (deduplication), so an index on few
/// distinct values is a fraction of that. Here the size is the rows × (index tuple: header, keys
/// aligned as their types, line pointer) over the 90 % fill of a freshly built leaf page, a run of
/// equal keys sharing one tuple that lists their heap pointers (6 bytes each). The distinct
/// combinations of several keys are the product of each key's distinct values (one more for NULL),
/// capped at the rows, which errs large for correlated keys; unknown statistics keep HypoPG's
/// figure; a partial index keeps the share of rows HypoPG's estimates with and without the predicate
/// give (HypoPG knows how many rows the predicate keeps).
/// Checked against built indexes in `sizeEstimatesAreCloseToTheBuiltIndexes`.
enum IndexSizeEstimate {
    /// Bytes of one heap pointer in a posting list.
    static let postingBytes = 6.0
    /// Heap pointers one posting-list tuple holds at most (a third of a page, less the key).
    static let maxPostings = 400.0

    /// Whether a B-tree on the type can deduplicate (not where PostgreSQL's `btequalimage` is false or
    /// absent: numeric, floats, JSON, containers).
    static func deduplicates(_ type: String) -> Bool {
        let t = type.lowercased()
        if t.hasSuffix("[]") { return false }
        return !["numeric", "real", "double precision", "jsonb", "json", "float", "range", "multirange", "record"].contains { t.hasPrefix($0) }
    }

    /// Alignment of a fixed-width type's values in an index tuple (1 for variable-width ones, whose
    /// short values carry a 1-byte header).
    static func alignment(_ type: String) -> Int {
        let t = type.lowercased()
        if t.hasPrefix("bigint") || t.hasPrefix("timestamp") || t.hasPrefix("double") || t.hasPrefix("time ") || t == "time" || t.hasPrefix("interval") { return 8 }
        if t.hasPrefix("integer") || t.hasPrefix("date") || t.hasPrefix("real") || t.hasPrefix("oid") { return 4 }
        if t.hasPrefix("smallint") { return 2 }
        return 1
    }

    /// Leaf pages are filled to 90 % when an index is built (the B-tree default fillfactor).
    static let leafFill = 0.9 * (8192.0 - 24 - 16) / 8192

    /// `hypoPGWithoutPredicate`: HypoPG's size of the same index without its WHERE, for a partial one
    /// (the ratio of the two is the share of rows the predicate keeps).
    static func bytes(hypoPG: Int64, hypoPGWithoutPredicate: Int64? = nil, candidate: IndexCandidate, table: TableInfo?, serverMajor: Int) -> Int64 {
        // ANALYZE's row count (reltuples) first: the activity counters can count a bulk load twice
        // when its statistics reach them after the ANALYZE that followed it.
        guard candidate.method == "btree", candidate.include.isEmpty, let table else { return hypoPG }
        let rows = table.estimatedRows >= 1 ? table.estimatedRows : table.rows
        guard rows >= 1 else { return hypoPG }
        var combinations = 1.0
        // The index tuple header, then the keys; `pg_stats.avg_width` is truncated to whole bytes, so a
        // variable-width key averages up to a byte more: the tuple is sized with each such width and one
        // byte more, and the two aligned sizes averaged (`(l_shipdate, l_discount)`: numeric values of
        // 4.9 bytes on average, avg_width 4; 16-byte tuples by the floor, 24 as built).
        var offsets = (low: 8, high: 8)
        var canDeduplicate = serverMajor >= 13
        for key in candidate.keys {
            guard let column = table.column(key.column), column.hasStatistics, column.averageWidth > 0 || column.nullFraction >= 1 else { return hypoPG }
            if !deduplicates(column.type) { canDeduplicate = false }
            // NULL is one more key value (B-tree deduplication groups NULLs too); a column that is
            // NULL in every row has one.
            combinations *= max(1, column.distinctValues(rows: rows) + (column.nullFraction > 0 ? 1 : 0))
            // An expression's value has the width and type of its column (lower(), casts to date…) as far as we know.
            let align = key.expression == nil ? alignment(column.type) : 1
            let truncated = align == 1 && column.averageWidth > 0 ? 1 : 0
            offsets.low = (offsets.low + align - 1) / align * align + column.averageWidth
            offsets.high = (offsets.high + align - 1) / align * align + column.averageWidth + truncated
        }
        // The tuple aligned to 8 bytes, plus its 4-byte line pointer.
        let keyBytes = Double((offsets.low + 7) / 8 * 8 + (offsets.high + 7) / 8 * 8) / 2
        let tupleBytes = keyBytes + 4
        var indexed = rows
        if candidate.predicate != nil {
            // A partial index holds the rows its predicate keeps, which HypoPG estimated.
            guard let full = hypoPGWithoutPredicate, full > 0 else {
                return max(8192, Int64((Double(hypoPG) * dedupedRowBytes(tupleBytes: tupleBytes, keyBytes: keyBytes, rows: rows,
                                                                         combinations: combinations, canDeduplicate: canDeduplicate) / tupleBytes).rounded()))
            }
            indexed = rows * min(1, Double(hypoPG) / Double(full))
        }
        // The runs of equal keys are those of the rows the index holds (a partial index's rows share
        // fewer keys than the table's: `(l_partkey) WHERE l_shipinstruct = …` holds 5 lines a part, not 30).
        let perRow = dedupedRowBytes(tupleBytes: tupleBytes, keyBytes: keyBytes, rows: max(1, indexed), combinations: combinations,
                                     canDeduplicate: canDeduplicate)
        let leaf = indexed * perRow / leafFill
        // Inner pages hold one tuple per leaf page; one metapage.
        return Int64(leaf * (1 + tupleBytes / 8152)) + 2 * 8192
    }

    /// Bytes a row takes in the leaf pages: its own tuple, or its share of a deduplicated one (a run of
    /// equal keys becomes one tuple: the keys, then its heap pointers, aligned to 8; at most ~400
    /// pointers a tuple: a third of a page).
    static func dedupedRowBytes(tupleBytes: Double, keyBytes: Double, rows: Double, combinations: Double, canDeduplicate: Bool) -> Double {
        let group = rows / min(rows, combinations)
        guard canDeduplicate && group > 1 else { return tupleBytes }
        let run = min(group, maxPostings)
        return min(tupleBytes, (((keyBytes + run * postingBytes) / 8).rounded(.up) * 8 + 4) / run)
    }
}
