import Database
import PostgresNIO

/// The catalog queries, one named statement each (readable by a DBA without reading Swift).
enum CatalogQueries {
    static let userSchemas = "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'"

    /// Tables with size, activity and health counters.
    static let tables = """
        SELECT c.oid::int8, n.nspname::text, c.relname::text, greatest(c.reltuples, 0)::float8,
               pg_total_relation_size(c.oid)::int8,
               coalesce(s.n_live_tup, 0)::int8, coalesce(s.n_dead_tup, 0)::int8, coalesce(s.n_mod_since_analyze, 0)::int8,
               coalesce(s.n_tup_ins + s.n_tup_upd + s.n_tup_del, 0)::int8, coalesce(s.seq_scan, 0)::int8,
               (s.last_analyze IS NOT NULL OR s.last_autoanalyze IS NOT NULL OR c.reltuples >= 0)
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
        WHERE c.relkind IN ('r', 'p', 'm') AND \(userSchemas)
        """

    /// Columns with type and planner statistics.
    static let columns = """
        SELECT a.attrelid::int8, a.attname::text, format_type(a.atttypid, a.atttypmod)::text,
               coalesce(st.avg_width, 0)::int8, coalesce(st.n_distinct, 0)::float8,
               coalesce(st.most_common_vals::text::text[], '{}'), coalesce(st.most_common_freqs, '{}')::float8[],
               coalesce(st.null_frac, 0)::float8
        FROM pg_attribute a
        JOIN pg_class c ON c.oid = a.attrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_stats st ON st.schemaname = n.nspname AND st.tablename = c.relname AND st.attname = a.attname
        WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'm') AND \(userSchemas)
        ORDER BY a.attrelid, a.attnum
        """

    /// Indexes with their key columns, usage and size.
    static let indexes = """
        SELECT i.indexrelid::int8, ic.relname::text, n.nspname::text, i.indrelid::int8, am.amname::text,
               i.indisunique, i.indisprimary, i.indisvalid,
               EXISTS (SELECT 1 FROM pg_constraint co WHERE co.conindid = i.indexrelid),
               i.indnkeyatts::int8,
               array(SELECT pg_get_indexdef(i.indexrelid, k, true) FROM generate_series(1, i.indnatts) k ORDER BY k)::text[],
               pg_get_indexdef(i.indexrelid)::text, pg_get_expr(i.indpred, i.indrelid)::text,
               coalesce(s.idx_scan, 0)::int8, pg_relation_size(i.indexrelid)::int8,
               i.indclass::text, i.indoption::text
        FROM pg_index i
        JOIN pg_class ic ON ic.oid = i.indexrelid
        JOIN pg_am am ON am.oid = ic.relam
        JOIN pg_class t ON t.oid = i.indrelid
        JOIN pg_namespace n ON n.oid = t.relnamespace
        LEFT JOIN pg_stat_user_indexes s ON s.indexrelid = i.indexrelid
        WHERE \(userSchemas)
        ORDER BY i.indrelid, ic.relname
        """

    /// Reads the whole catalog.
    static func load(_ connection: DatabaseConnection) async throws -> Catalog {
        var columnsByTable: [Int64: [ColumnInfo]] = [:]
        for row in try await connection.query(PostgresQuery(unsafeSQL: columns)) {
            let (table, name, type, width, distinct, values, frequencies, nulls) = try row.decode((Int64, String, String, Int64, Double, [String], [Double], Double).self)
            columnsByTable[table, default: []].append(ColumnInfo(
                name: name, type: type, averageWidth: Int(width), distinct: distinct,
                commonValues: values.count == frequencies.count ? values : [], commonFrequencies: values.count == frequencies.count ? frequencies : [],
                nullFraction: nulls
            ))
        }
        var tableInfos: [TableInfo] = []
        for row in try await connection.query(PostgresQuery(unsafeSQL: tables)) {
            let (oid, schema, name, reltuples, bytes, live, dead, modified, writes, seqScans, analyzed) =
                try row.decode((Int64, String, String, Double, Int64, Int64, Int64, Int64, Int64, Int64, Bool).self)
            tableInfos.append(TableInfo(
                oid: oid, schema: schema, name: name, estimatedRows: reltuples, totalBytes: bytes, liveTuples: live,
                deadTuples: dead, modifiedSinceAnalyze: modified, writes: writes, seqScans: seqScans, everAnalyzed: analyzed,
                columns: columnsByTable[oid] ?? []
            ))
        }
        var indexInfos: [IndexInfo] = []
        for row in try await connection.query(PostgresQuery(unsafeSQL: indexes)) {
            let (oid, name, schema, table, method, unique, primary, valid, constraint, keyCount, columns, definition, predicate, scans, bytes, indclass, indoption) =
                try row.decode((Int64, String, String, Int64, String, Bool, Bool, Bool, Bool, Int64, [String], String, String?, Int64, Int64, String, String).self)
            let keys = Int(keyCount)
            let classes = indclass.split(separator: " ").map(String.init)
            let options = indoption.split(separator: " ").map(String.init)
            let keyOptions = (0..<keys).map { k in (k < classes.count ? classes[k] : "") + "/" + (k < options.count ? options[k] : "") }
            indexInfos.append(IndexInfo(
                oid: oid, name: name, schema: schema, tableOID: table, method: method, isUnique: unique, isPrimary: primary,
                isValid: valid, backsConstraint: constraint, keyColumns: Array(columns.prefix(keys)),
                includeColumns: Array(columns.dropFirst(keys)), definition: definition, predicate: predicate, scans: scans,
                bytes: bytes, keyOptions: keyOptions
            ))
        }
        return Catalog(tables: tableInfos, indexes: indexInfos)
    }
}
