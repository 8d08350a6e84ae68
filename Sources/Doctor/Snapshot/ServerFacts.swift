/// What the doctor reads once per examination: limits, settings, freeze ages, replicas.
public struct ServerFacts: Sendable, Codable, Equatable {
    /// `server_version_num`, e.g. 150018.
    public var versionNumber: Int
    public var database: String
    public var maxConnections: Int
    /// `superuser_reserved_connections` (+ `reserved_connections` on 16+): slots ordinary roles cannot take.
    public var reservedConnections: Int
    /// CPU cores of the database host; nil when the host is not this machine (unknown).
    public var cores: Int?
    public var workMemBytes: Double
    public var maxWalSizeBytes: Double
    /// Settings whose `source` is not `default`.
    public var changedSettings: [ChangedSetting]
    /// Seconds since the configuration was last reloaded; nil when it has not been since the server started.
    public var configurationAgeSeconds: Double?
    /// The database with the oldest `datfrozenxid` and its age in transactions.
    public var oldestFrozenDatabase: String
    public var frozenXIDAge: Int
    /// `autovacuum_freeze_max_age`: from this age on, autovacuum freezes aggressively.
    public var freezeMaxAge: Int
    /// The table of this database with the oldest `relfrozenxid`, and its age.
    public var oldestFrozenTable: String?
    public var oldestFrozenTableAge: Int?
    public var replicas: [Replica]
    /// `work_mem` set per role or database, e.g. `role app: 1MB`.
    public var workMemOverrides: [String] = []

    public init(versionNumber: Int = 150000, database: String = "store", maxConnections: Int = 100, reservedConnections: Int = 3,
                cores: Int? = nil, workMemBytes: Double = 4 * 1024 * 1024, maxWalSizeBytes: Double = 1024 * 1024 * 1024,
                changedSettings: [ChangedSetting] = [], configurationAgeSeconds: Double? = nil, oldestFrozenDatabase: String = "store",
                frozenXIDAge: Int = 1000, freezeMaxAge: Int = 200_000_000, oldestFrozenTable: String? = nil,
                oldestFrozenTableAge: Int? = nil, replicas: [Replica] = []) {
        self.versionNumber = versionNumber
        self.database = database
        self.maxConnections = maxConnections
        self.reservedConnections = reservedConnections
        self.cores = cores
        self.workMemBytes = workMemBytes
        self.maxWalSizeBytes = maxWalSizeBytes
        self.changedSettings = changedSettings
        self.configurationAgeSeconds = configurationAgeSeconds
        self.oldestFrozenDatabase = oldestFrozenDatabase
        self.frozenXIDAge = frozenXIDAge
        self.freezeMaxAge = freezeMaxAge
        self.oldestFrozenTable = oldestFrozenTable
        self.oldestFrozenTableAge = oldestFrozenTableAge
        self.replicas = replicas
    }

    public var major: Int { versionNumber / 10000 }

    /// Connections ordinary roles can open.
    public var usableConnections: Int { max(1, maxConnections - reservedConnections) }

    /// The value of a changed setting, if it was changed.
    public func setting(_ name: String) -> ChangedSetting? { changedSettings.first { $0.name == name } }
}

/// A setting that differs from its built-in default, and where the value came from.
public struct ChangedSetting: Sendable, Codable, Equatable {
    public var name: String
    /// The value with its unit, as `SHOW` prints it.
    public var value: String
    /// `configuration file`, `command line`, `database`, `user`, `session`, …
    public var source: String

    public init(name: String, value: String, source: String) {
        self.name = name
        self.value = value
        self.source = source
    }
}

/// A streaming replica as `pg_stat_replication` shows it on the primary.
public struct Replica: Sendable, Codable, Equatable {
    public var name: String
    public var client: String
    public var state: String
    public var replayLagSeconds: Double?
    public var lagBytes: Double?

    public init(name: String, client: String, state: String, replayLagSeconds: Double? = nil, lagBytes: Double? = nil) {
        self.name = name
        self.client = client
        self.state = state
        self.replayLagSeconds = replayLagSeconds
        self.lagBytes = lagBytes
    }
}
