/// Every statement the doctor sends, one named constant each (readable by a DBA without reading
/// Swift). All are read-only catalog and statistics views; each starts with the `/* surge doctor */`
/// marker so the doctor can leave its own statements out of pg_stat_statements' deltas.
enum DoctorSQL {
    static let marker = "/* surge doctor */"

    /// Client sessions, with the blockers of those waiting on a lock (pg_blocking_pids is only
    /// called for those: it takes the lock manager's locks).
    static let activity = """
        \(marker) SELECT a.pid::int8, a.usename::text, coalesce(a.application_name, '')::text,
               coalesce(host(a.client_addr), 'local')::text, a.datname::text, a.state::text,
               a.wait_event_type::text, a.wait_event::text,
               extract(epoch FROM now() - a.xact_start)::float8,
               extract(epoch FROM now() - a.query_start)::float8,
               extract(epoch FROM now() - a.state_change)::float8,
               age(a.backend_xmin)::int8, a.backend_xid IS NOT NULL, left(a.query, 500)::text,
               CASE WHEN a.wait_event_type = 'Lock' THEN pg_blocking_pids(a.pid)::int8[] ELSE '{}'::int8[] END
        FROM pg_stat_activity a
        WHERE a.backend_type = 'client backend' AND a.pid <> pg_backend_pid()
          AND coalesce(a.application_name, '') <> 'surge doctor'
        """

    /// This database's statements (the view is cluster-wide), without the doctor's own.
    static let statements = """
        \(marker) SELECT queryid::text, left(query, 2000)::text, calls::float8, total_exec_time::float8, rows::float8,
               temp_blks_written::float8, shared_blks_read::float8
        FROM pg_stat_statements
        WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND queryid IS NOT NULL
          AND query NOT LIKE '/* surge doctor */%'
        """

    /// The counters survive clean restarts (PostgreSQL 15 keeps them on disk), so without a reset
    /// they count since initdb, whose time is the upper half of the system identifier; the
    /// postmaster's start is the last resort (pg_control_system needs pg_monitor or superuser).
    static let database = """
        \(marker) SELECT xact_commit::float8, xact_rollback::float8, temp_files::float8, temp_bytes::float8, deadlocks::float8,
               blks_read::float8, blks_hit::float8,
               extract(epoch FROM now() - coalesce(stats_reset,
                   CASE WHEN has_function_privilege('pg_control_system()', 'EXECUTE')
                        THEN to_timestamp(((SELECT system_identifier FROM pg_control_system()) >> 32)::float8) END,
                   pg_postmaster_start_time()))::float8
        FROM pg_stat_database WHERE datname = current_database()
        """

    /// Checkpoints up to PostgreSQL 16 (17 moved them to pg_stat_checkpointer).
    static let bgwriter = "\(marker) SELECT checkpoints_timed::float8, checkpoints_req::float8, buffers_checkpoint::float8 FROM pg_stat_bgwriter"
    static let checkpointer = "\(marker) SELECT num_timed::float8, num_requested::float8, buffers_written::float8 FROM pg_stat_checkpointer"
    /// WAL volume (PostgreSQL 14+).
    static let wal = "\(marker) SELECT wal_bytes::float8 FROM pg_stat_wal"

    static let tables = """
        \(marker) SELECT s.relid::int8,
               (CASE WHEN s.schemaname = 'public' THEN quote_ident(s.relname) ELSE quote_ident(s.schemaname) || '.' || quote_ident(s.relname) END)::text,
               c.reltuples::float8, s.n_live_tup::float8, s.n_dead_tup::float8, s.n_mod_since_analyze::float8,
               coalesce(s.seq_scan, 0)::float8, coalesce(s.seq_tup_read, 0)::float8, coalesce(s.idx_scan, 0)::float8,
               extract(epoch FROM now() - greatest(s.last_vacuum, s.last_autovacuum))::float8,
               extract(epoch FROM now() - greatest(s.last_analyze, s.last_autoanalyze))::float8,
               coalesce(c.reloptions, '{}')::text[]
        FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
        """

    static let limits = """
        \(marker) SELECT current_setting('server_version_num')::int8, current_database()::text,
               current_setting('max_connections')::int8,
               current_setting('superuser_reserved_connections')::int8 + coalesce(current_setting('reserved_connections', true)::int8, 0),
               pg_size_bytes(current_setting('work_mem'))::float8, pg_size_bytes(current_setting('max_wal_size'))::float8,
               (CASE WHEN pg_conf_load_time() - pg_postmaster_start_time() > interval '5 seconds'
                     THEN extract(epoch FROM now() - pg_conf_load_time()) END)::float8,
               current_setting('autovacuum_freeze_max_age')::int8,
               pg_has_role(current_user, 'pg_read_all_stats', 'MEMBER'),
               EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements'),
               -- Through pg_settings, which hides the row from a role without pg_read_all_settings
               -- (current_setting would fail the whole statement): NULL then means "cannot tell".
               (SELECT setting FROM pg_settings WHERE name = 'shared_preload_libraries') ~ 'pg_stat_statements'
        """

    /// On a tie (databases copied from one template, or frozen together) the examined database
    /// comes first: its oldest table is the one the doctor can name.
    static let oldestFrozenDatabase = """
        \(marker) SELECT datname::text, age(datfrozenxid)::int8 FROM pg_database
        ORDER BY age(datfrozenxid) DESC, datname = current_database() DESC, datname LIMIT 1
        """

    static let oldestFrozenTable = """
        \(marker) SELECT (CASE WHEN n.nspname = 'public' THEN quote_ident(c.relname) ELSE quote_ident(n.nspname) || '.' || quote_ident(c.relname) END)::text,
               age(c.relfrozenxid)::int8
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'm', 't') ORDER BY age(c.relfrozenxid) DESC LIMIT 1
        """

    /// Settings that differ from their built-in defaults, and where each value came from.
    static let changedSettings = """
        \(marker) SELECT name::text, current_setting(name)::text, source::text
        FROM pg_settings WHERE source NOT IN ('default', 'override', 'client') ORDER BY name
        """

    /// `work_mem` set per role or per database (`ALTER ROLE … SET`, `ALTER DATABASE … SET`): what
    /// the application's sessions start with, which the doctor's own session does not show.
    static let workMemOverrides = """
        \(marker) SELECT coalesce(r.rolname::text, ''), coalesce(d.datname::text, ''), substr(s.config, length('work_mem=') + 1)::text
        FROM pg_db_role_setting rs
        LEFT JOIN pg_roles r ON r.oid = rs.setrole
        LEFT JOIN pg_database d ON d.oid = rs.setdatabase
        CROSS JOIN LATERAL unnest(rs.setconfig) AS s(config)
        WHERE s.config LIKE 'work_mem=%'
        """

    static let replicas = """
        \(marker) SELECT coalesce(application_name, '')::text, coalesce(host(client_addr), 'local')::text, coalesce(state, '')::text,
               extract(epoch FROM replay_lag)::float8,
               (CASE WHEN pg_is_in_recovery() THEN NULL ELSE pg_current_wal_lsn() - replay_lsn END)::float8
        FROM pg_stat_replication
        """
}
