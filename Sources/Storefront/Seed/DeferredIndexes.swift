import Database
import PostgresNIO

/// "Load first, index after" for a bulk load into empty tables, inside the caller's transaction:
/// drops the secondary indexes (those not backing a primary key, unique or exclusion constraint),
/// the foreign keys and the enabled user triggers of `tables`, and `restore` puts them back
/// exactly as they were (definitions read from the catalog: `pg_get_indexdef`,
/// `pg_get_constraintdef`).
///
/// Safe if interrupted: DDL is transactional in PostgreSQL, so if the load fails, the process dies
/// or the server crashes before COMMIT, the drops are rolled back with the rows, and the schema is
/// left with every index, key and trigger it had (and the tables empty). The price: the load holds
/// ACCESS EXCLUSIVE locks on `tables` until it commits (readers of those tables wait).
struct DeferredIndexes {
    /// `CREATE INDEX …` statements.
    private(set) var indexes: [String] = []
    /// `ALTER TABLE … ADD CONSTRAINT …` statements (foreign keys).
    private(set) var foreignKeys: [String] = []
    /// `ALTER TABLE … ENABLE TRIGGER …` statements.
    private(set) var triggers: [String] = []

    /// Reads the definitions and drops them. Call inside a transaction.
    static func drop(tables: [String], on connection: DatabaseConnection) async throws -> DeferredIndexes {
        var deferred = DeferredIndexes()
        var drops: [String] = []
        for row in try await connection.query(Self.secondaryIndexes(tables)) {
            let (drop, create) = try row.decode((String, String).self)
            drops.append(drop)
            deferred.indexes.append(create)
        }
        for row in try await connection.query(Self.foreignKeys(tables)) {
            let (drop, add) = try row.decode((String, String).self)
            // Foreign keys go first: a key may depend on an index of another table.
            drops.insert(drop, at: 0)
            deferred.foreignKeys.append(add)
        }
        for row in try await connection.query(Self.userTriggers(tables)) {
            let (disable, enable) = try row.decode((String, String).self)
            drops.append(disable)
            deferred.triggers.append(enable)
        }
        // The statements were written by the server (format with %I / regclass quoting) from its
        // own catalog, not from any input: running them as SQL text is safe.
        for statement in drops { try await connection.query(PostgresQuery(unsafeSQL: statement)) }
        return deferred
    }

    /// Rebuilds the indexes (each in one sorted pass, far cheaper than row-by-row maintenance),
    /// re-validates the foreign keys (one join per key instead of one lookup per row) and
    /// re-enables the triggers. Call in the same transaction as `drop`.
    func restore(on connection: DatabaseConnection) async throws {
        for statement in indexes + foreignKeys + triggers {
            try await connection.query(PostgresQuery(unsafeSQL: statement))
        }
    }

    /// Secondary indexes of `tables`: (DROP INDEX, CREATE INDEX).
    static func secondaryIndexes(_ tables: [String]) -> PostgresQuery {
        """
        SELECT format('DROP INDEX %s', i.indexrelid::regclass), pg_get_indexdef(i.indexrelid)
        FROM pg_index i
        WHERE i.indrelid IN (SELECT to_regclass(t) FROM unnest(\(tables)::text[]) AS t)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
        ORDER BY i.indexrelid
        """
    }

    /// Foreign keys declared on `tables`: (DROP CONSTRAINT, ADD CONSTRAINT).
    static func foreignKeys(_ tables: [String]) -> PostgresQuery {
        """
        SELECT format('ALTER TABLE %s DROP CONSTRAINT %I', c.conrelid::regclass, c.conname),
               format('ALTER TABLE %s ADD CONSTRAINT %I %s', c.conrelid::regclass, c.conname, pg_get_constraintdef(c.oid))
        FROM pg_constraint c
        WHERE c.contype = 'f' AND c.conrelid IN (SELECT to_regclass(t) FROM unnest(\(tables)::text[]) AS t)
        ORDER BY c.oid
        """
    }

    /// Enabled user (non-internal) triggers on `tables`: (DISABLE TRIGGER, ENABLE TRIGGER).
    static func userTriggers(_ tables: [String]) -> PostgresQuery {
        """
        SELECT format('ALTER TABLE %s DISABLE TRIGGER %I', t.tgrelid::regclass, t.tgname),
               format('ALTER TABLE %s ENABLE TRIGGER %I', t.tgrelid::regclass, t.tgname)
        FROM pg_trigger t
        WHERE NOT t.tgisinternal AND t.tgenabled = 'O'
          AND t.tgrelid IN (SELECT to_regclass(n) FROM unnest(\(tables)::text[]) AS n)
        ORDER BY t.oid
        """
    }
}
