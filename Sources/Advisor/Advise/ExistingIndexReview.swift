/// Existing indexes that cost writes and space for nothing: invalid, duplicate, overlapping
/// (a prefix of another), unused (no scans, and no plan of the workload uses them).
public enum ExistingIndexReview {
    public static func review(catalog: Catalog, usedByWorkload: Set<String>) -> [DropRecommendation] {
        var drops: [DropRecommendation] = []
        var dropped: Set<Int64> = []
        for table in catalog.tables {
            let indexes = catalog.indexes(on: table)
            func drop(_ index: IndexInfo, _ reason: DropReason, _ detail: String) {
                guard !dropped.contains(index.oid) else { return }
                dropped.insert(index.oid)
                let note = index.backsConstraint ? " (it backs a constraint: drop the constraint instead)" : ""
                drops.append(DropRecommendation(
                    index: index.name, table: table.qualifiedName, reason: reason, detail: detail + note, bytes: index.bytes,
                    ddl: index.backsConstraint ? "-- ALTER TABLE \(table.qualifiedName) DROP CONSTRAINT …;" : "DROP INDEX CONCURRENTLY \(index.qualifiedName);"
                ))
            }
            for index in indexes where !index.isValid {
                drop(index, .invalid, "\(index.name) is INVALID (a failed CREATE INDEX CONCURRENTLY): it is maintained on every write but never used; drop it and build it again if needed")
            }
            let valid = indexes.filter(\.isValid).sorted { $0.oid < $1.oid }  // the older copy stays
            for (i, a) in valid.enumerated() {
                for b in valid[(i + 1)...] where a.anonymousDefinition == b.anonymousDefinition {
                    // Keep the one that enforces something.
                    let (keep, extra) = (b.isUnique || b.backsConstraint) && !(a.isUnique || a.backsConstraint) ? (b, a) : (a, b)
                    drop(extra, .duplicate, "\(extra.name) duplicates \(keep.name) (same columns, method and predicate)")
                }
            }
            for a in valid where !a.isUnique && !a.backsConstraint && a.method == "btree" && !dropped.contains(a.oid) {
                for b in valid where b.oid != a.oid && b.method == "btree" && b.predicate == a.predicate && !dropped.contains(b.oid) {
                    guard b.keyColumns.count > a.keyColumns.count,
                          Array(b.keyColumns.prefix(a.keyColumns.count)) == a.keyColumns,
                          Array(b.keyOptions.prefix(a.keyOptions.count)) == a.keyOptions,
                          Set(a.includeColumns).isSubset(of: Set(b.keyColumns + b.includeColumns)) else { continue }
                    drop(a, .overlapping, "\(a.name) (\(a.keyColumns.joined(separator: ", "))) is a prefix of \(b.name) (\(b.keyColumns.joined(separator: ", "))), which serves the same lookups")
                    break
                }
            }
            for index in valid where index.scans == 0 && !index.isUnique && !index.backsConstraint && !usedByWorkload.contains(index.name) {
                drop(index, .unused, "\(index.name) has not been scanned since the statistics were reset, and no statement of the workload uses it")
            }
        }
        return drops
    }
}
