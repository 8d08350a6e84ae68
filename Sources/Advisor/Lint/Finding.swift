/// How much a finding matters.
public enum Severity: String, Sendable, Codable, Comparable, CaseIterable {
    case info, warning, critical

    var rank: Int { Self.allCases.firstIndex(of: self) ?? 0 }
    public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
}

/// One thing `surge analyze` found: what, where, why it hurts, and what to do.
public struct Finding: Sendable, Codable, Equatable {
    public var severity: Severity
    /// Stable snake_case rule name (`deep_offset`, `seq_scan_selective`…).
    public var code: String
    /// The statement, without literal values (nil for table-level findings).
    public var statement: String?
    public var table: String?
    public var why: String
    public var fix: String
    /// Total time of the statement in milliseconds, to rank findings of equal severity.
    public var impactMs: Double?

    public init(severity: Severity, code: String, statement: String? = nil, table: String? = nil, why: String, fix: String, impactMs: Double? = nil) {
        self.severity = severity
        self.code = code
        self.statement = statement
        self.table = table
        self.why = why
        self.fix = fix
        self.impactMs = impactMs
    }
}

/// What a rule looks at for one statement.
public struct LintInput: Sendable {
    public var statement: WorkloadStatement
    public var shape: StatementShape
    /// The plan (generic, or analyzed with `--analyze`), when available.
    public var plan: Plan?
    /// The schema, when connected; rules that need sizes fall back to a milder verdict without it.
    public var catalog: Catalog?

    public init(statement: WorkloadStatement, plan: Plan? = nil, catalog: Catalog? = nil) {
        self.statement = statement
        self.shape = StatementParser.parse(statement.sql)
        self.plan = plan
        self.catalog = catalog
    }

    /// The catalog table behind a name or alias used in the statement.
    func table(_ qualifierOrName: String?) -> TableInfo? {
        guard let catalog else { return nil }
        if let name = qualifierOrName, let ref = shape.table(forQualifier: name) { return catalog.table(named: ref.name, schema: ref.schema) }
        if qualifierOrName == nil, shape.tables.count == 1, let ref = shape.tables.first { return catalog.table(named: ref.name, schema: ref.schema) }
        return nil
    }

    /// The table owning an unqualified or qualified column.
    func owner(of column: ColumnRef) -> TableInfo? {
        guard let catalog else { return nil }
        if let qualifier = column.qualifier { return table(qualifier) }
        let owners = shape.tables.compactMap { catalog.table(named: $0.name, schema: $0.schema) }.filter { $0.column(column.name) != nil }
        return owners.count == 1 ? owners[0] : nil
    }

    func finding(_ severity: Severity, _ code: String, table: String? = nil, why: String, fix: String) -> Finding {
        Finding(severity: severity, code: code, statement: statement.displayText, table: table, why: why, fix: fix, impactMs: statement.totalTimeMs)
    }
}

/// A check of one statement.
public protocol LintRule: Sendable {
    /// The rule's stable code.
    var code: String { get }
    func check(_ input: LintInput) -> [Finding]
}
