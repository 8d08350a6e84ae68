/// A user table with its size, activity and health counters.
public struct TableInfo: Sendable, Codable, Equatable {
    public var oid: Int64
    public var schema: String
    public var name: String
    /// The planner's row estimate (`reltuples`; -1 when never analyzed is reported as 0).
    public var estimatedRows: Double
    public var totalBytes: Int64
    public var liveTuples: Int64
    public var deadTuples: Int64
    public var modifiedSinceAnalyze: Int64
    /// Rows inserted, updated and deleted since the statistics were reset.
    public var writes: Int64
    public var seqScans: Int64
    public var everAnalyzed: Bool
    public var columns: [ColumnInfo]

    /// The name as it should appear in SQL (schema-qualified outside `public`).
    public var qualifiedName: String {
        schema == "public" ? SQLIdentifier.quote(name) : SQLIdentifier.quote(schema) + "." + SQLIdentifier.quote(name)
    }

    /// The column named `name`, if the table has it.
    public func column(_ name: String) -> ColumnInfo? { columns.first { $0.name == name } }

    /// Rows for size decisions: the larger of the estimate and the live count.
    public var rows: Double { max(estimatedRows, Double(liveTuples)) }

    /// The average row width in bytes from the statistics (0 when unknown).
    public var averageRowWidth: Int { columns.reduce(0) { $0 + $1.averageWidth } }
}

/// A column with its type and statistics.
public struct ColumnInfo: Sendable, Codable, Equatable {
    public var name: String
    public var type: String
    public var averageWidth: Int
    /// `pg_stats.n_distinct`: positive = distinct values, negative = fraction of rows, 0 = unknown.
    public var distinct: Double
    /// `pg_stats.most_common_vals` as text, and their frequencies (`most_common_freqs`), same order.
    public var commonValues: [String] = []
    public var commonFrequencies: [Double] = []
    /// `pg_stats.null_frac`: the share of rows where the column is NULL (0 when unknown).
    public var nullFraction: Double = 0

    public init(
        name: String, type: String, averageWidth: Int, distinct: Double, commonValues: [String] = [], commonFrequencies: [Double] = [],
        nullFraction: Double = 0
    ) {
        self.name = name
        self.type = type
        self.averageWidth = averageWidth
        self.distinct = distinct
        self.commonValues = commonValues
        self.commonFrequencies = commonFrequencies
        self.nullFraction = nullFraction
    }

    /// Estimated distinct values for a table of `rows` rows.
    public func distinctValues(rows: Double) -> Double {
        distinct >= 0 ? distinct : -distinct * rows
    }

    /// Whether ANALYZE saw the column at all: it has distinct values or NULLs (a column that is NULL
    /// in every row has `n_distinct` 0 and `null_frac` 1).
    public var hasStatistics: Bool { distinct != 0 || nullFraction > 0 }
}

extension ColumnInfo {
    enum CodingKeys: String, CodingKey { case name, type, averageWidth, distinct, commonValues, commonFrequencies, nullFraction }

    /// Catalogs recorded before the most-common values were read decode with none.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            name: try container.decode(String.self, forKey: .name), type: try container.decode(String.self, forKey: .type),
            averageWidth: try container.decode(Int.self, forKey: .averageWidth), distinct: try container.decode(Double.self, forKey: .distinct),
            commonValues: try container.decodeIfPresent([String].self, forKey: .commonValues) ?? [],
            commonFrequencies: try container.decodeIfPresent([Double].self, forKey: .commonFrequencies) ?? [],
            nullFraction: try container.decodeIfPresent(Double.self, forKey: .nullFraction) ?? 0
        )
    }
}

/// An existing index.
public struct IndexInfo: Sendable, Codable, Equatable {
    public var oid: Int64
    public var name: String
    public var schema: String
    public var tableOID: Int64
    public var method: String
    public var isUnique: Bool
    public var isPrimary: Bool
    public var isValid: Bool
    /// Backs a constraint (primary key, unique, exclusion): cannot simply be dropped.
    public var backsConstraint: Bool
    public var keyColumns: [String]
    public var includeColumns: [String]
    public var definition: String
    public var predicate: String?
    public var scans: Int64
    public var bytes: Int64
    /// `indclass` and `indoption` of the key columns (operator classes and DESC/NULLS flags).
    public var keyOptions: [String]

    /// The definition without the index's own name, so two copies compare equal.
    public var anonymousDefinition: String {
        definition.replacingOccurrences(of: "UNIQUE ", with: "")
            .replacingOccurrences(of: "INDEX " + SQLIdentifier.quote(name) + " ON", with: "INDEX ON")
            .replacingOccurrences(of: "INDEX " + name + " ON", with: "INDEX ON")
    }

    public var qualifiedName: String {
        schema == "public" ? SQLIdentifier.quote(name) : SQLIdentifier.quote(schema) + "." + SQLIdentifier.quote(name)
    }
}

/// What the advisor knows about the database's schema.
public struct Catalog: Sendable, Codable, Equatable {
    public var tables: [TableInfo]
    public var indexes: [IndexInfo]

    public init(tables: [TableInfo], indexes: [IndexInfo]) {
        self.tables = tables
        self.indexes = indexes
    }

    /// The table named `name` (optionally in `schema`; otherwise `public` first).
    public func table(named name: String, schema: String? = nil) -> TableInfo? {
        if let schema { return tables.first { $0.name == name && $0.schema == schema } }
        return tables.first { $0.name == name && $0.schema == "public" } ?? tables.first { $0.name == name }
    }

    /// Indexes of a table.
    public func indexes(on table: TableInfo) -> [IndexInfo] {
        indexes.filter { $0.tableOID == table.oid }
    }

    /// True when some valid index of `table` starts with `column`.
    public func hasIndexLeading(with column: String, on table: TableInfo) -> Bool {
        indexes(on: table).contains { $0.isValid && $0.keyColumns.first == column }
    }
}

/// Quoting of SQL identifiers for generated DDL.
public enum SQLIdentifier {
    /// `name` as is when it is a plain lowercase identifier, otherwise double-quoted.
    public static func quote(_ name: String) -> String {
        let plain = name.first.map { $0.isLowercase || $0 == "_" } == true
            && name.allSatisfy { ($0.isLowercase && $0.isASCII) || ($0.isNumber && $0.isASCII) || $0 == "_" }
            && !StatementParser.reserved.contains(name)
        return plain ? name : "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
