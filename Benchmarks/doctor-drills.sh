#!/usr/bin/env bash
# surge doctor drills: each incident injected on a private PostgreSQL 15 (own injectors: psql sessions
# and pgbench scripts), then `surge doctor --window 3s --json`. For each drill: the cause expected,
# whether the doctor's FIRST diagnosis names it, whether it names the object (pid, table, statement,
# setting), seconds from start to verdict, and what PgHero's checks (as SQL, with PgHero's default
# thresholds) flag on the same incident. Healthy drills count false alarms.
# Usage: Benchmarks/doctor-drills.sh [healthy-runs]   (SURGE_BIN=.build/debug/surge to skip the release build)
set -uo pipefail
cd "$(dirname "$0")/.."
HEALTHY_RUNS=${1:-3}
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
SURGE=${SURGE_BIN:-.build/release/surge}
[ -x "$SURGE" ] || swift build -c release --product surge >/dev/null
SURGE=$(realpath "$SURGE")
WORK=$(mktemp -d /tmp/surge-doctor-drills.XXXXXX)
chmod 755 "$WORK"
PORT=$((20000 + RANDOM % 20000))
RUN=()
if [ "$(id -u)" = 0 ]; then chown postgres "$WORK"; RUN=(runuser -u postgres --); fi
INJECTORS=()
stop_injectors() { for p in "${INJECTORS[@]}"; do kill "$p" 2>/dev/null; done; INJECTORS=(); }
cleanup() { stop_injectors; "${RUN[@]}" "$PGBIN/pg_ctl" -D "$WORK/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$WORK"; }
trap cleanup EXIT
(cd /tmp && "${RUN[@]}" "$PGBIN/initdb" -D "$WORK/data" -U postgres --auth=trust >/dev/null)
cat >> "$WORK/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$WORK'
shared_preload_libraries = 'pg_stat_statements'
max_connections = 40
fsync = off
synchronous_commit = off
CONF
(cd /tmp && "${RUN[@]}" "$PGBIN/pg_ctl" -D "$WORK/data" -l "$WORK/server.log" -w start >/dev/null)
URL="postgres://postgres@127.0.0.1:$PORT/drills"
export PGHOST=127.0.0.1 PGPORT=$PORT PGUSER=postgres PGDATABASE=drills
"$PGBIN/createdb" drills
psql() { "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }
psql -c "CREATE EXTENSION pg_stat_statements"
psql <<'SQL'
CREATE TABLE drill_items (id bigint PRIMARY KEY, sku text NOT NULL, code int NOT NULL, qty int NOT NULL);
INSERT INTO drill_items SELECT i, 'sku-' || i, i, i % 100 FROM generate_series(1, 200000) i;
CREATE TABLE drill_wal (id int, pad text);
ANALYZE;
SQL
cat > "$WORK/lookup.sql" <<'SQL'
\set id random(1, 200000)
SELECT * FROM drill_items WHERE id = :id;
SQL
cat > "$WORK/seqscan.sql" <<'SQL'
\set c random(1, 200000)
SELECT * FROM drill_items WHERE code = :c;
SQL
cat > "$WORK/spill.sql" <<'SQL'
SET work_mem = '64kB';
SELECT id FROM drill_items ORDER BY md5(sku) OFFSET 199990;
SQL
cat > "$WORK/cpu.sql" <<'SQL'
SELECT sum(length(md5(i::text))) FROM generate_series(1, 300000) i;
SQL
cat > "$WORK/wal.sql" <<'SQL'
INSERT INTO drill_wal SELECT g, repeat('x', 300) FROM generate_series(1, 20000) g;
SQL
cat > "$WORK/stale.sql" <<'SQL'
SELECT count(*) FROM drill_stale WHERE kind = 1;
SQL
pgbench() { "$PGBIN/pgbench" -n "$@" >/dev/null 2>&1; }

# PgHero's checks as SQL, its default thresholds: long-running queries (> 1 min), blocked queries,
# slow queries (pg_stat_statements: mean >= 20 ms and >= 100 calls), transaction id danger (< 10M
# left), autovacuum danger (age > autovacuum_freeze_max_age - 2M), connections over 80% of max.
pghero() {
  psql -At <<'SQL' | paste -sd, -
SELECT 'long_running' WHERE EXISTS (SELECT 1 FROM pg_stat_activity WHERE state <> 'idle' AND backend_type = 'client backend' AND now() - query_start > interval '1 minute')
UNION ALL SELECT 'blocked_queries' WHERE EXISTS (SELECT 1 FROM pg_locks WHERE NOT granted)
UNION ALL SELECT 'slow_queries' WHERE EXISTS (SELECT 1 FROM pg_stat_statements WHERE calls >= 100 AND mean_exec_time >= 20)
UNION ALL SELECT 'transaction_id_danger' WHERE EXISTS (SELECT 1 FROM pg_database WHERE 2146483648 - age(datfrozenxid) < 10000000)
UNION ALL SELECT 'autovacuum_danger' WHERE EXISTS (SELECT 1 FROM pg_class WHERE relkind = 'r' AND age(relfrozenxid) > current_setting('autovacuum_freeze_max_age')::int - 2000000)
UNION ALL SELECT 'connections_high' WHERE (SELECT count(*) FROM pg_stat_activity) > 0.8 * current_setting('max_connections')::int;
SQL
}

reset_server() {
  psql -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()" >/dev/null 2>&1
  psql -c "SELECT pg_stat_statements_reset()" >/dev/null
  sleep 1
}

pid_of() { psql -At -c "SELECT pid FROM pg_stat_activity WHERE application_name = '$1' LIMIT 1"; }

printf '| drill | expected | first diagnosis | named | object named | also named | seconds to verdict | PgHero checks flag |\n|---|---|---|---|---|---|---|---|\n' > "$WORK/table.md"
FALSE_ALARMS=0
# drill NAME EXPECTED_CAUSE OBJECT_SUBSTRING
drill() {
  local name=$1 expected=$2 object=$3
  local start end json first_cause first_line named object_named seconds flags others
  start=$(date +%s.%N)
  json=$("$SURGE" doctor --database-url "$URL" --window 3s --json 2>&1)
  end=$(date +%s.%N)
  seconds=$(echo "$end - $start" | bc)
  flags=$(pghero)
  first_cause=$(python3 -c 'import json,sys; d=json.loads(sys.stdin.read()); f=d["findings"]; print(f[0]["cause"] if f else "none")' <<<"$json" 2>/dev/null || echo "error")
  others=$(python3 -c 'import json,sys; d=json.loads(sys.stdin.read()); print(", ".join(f["cause"] for f in d["findings"][1:]) or "-")' <<<"$json" 2>/dev/null || echo "?")
  first_line=$(python3 -c 'import json,sys; d=json.loads(sys.stdin.read()); print(d["diagnosis"][0])' <<<"$json" 2>/dev/null || echo "$json" | head -1)
  if [ "$expected" = none ]; then
    named=$([ "$first_cause" = none ] && echo yes || echo no)
    [ "$first_cause" = none ] || FALSE_ALARMS=$((FALSE_ALARMS + 1))
    object_named="-"
  else
    named=$([ "$first_cause" = "$expected" ] && echo yes || echo no)
    object_named=$(grep -qF -- "$object" <<<"$first_line" && echo yes || echo no)
  fi
  printf '| %s | %s | `%s` | %s | %s | %s | %.1f | %s |\n' "$name" "$expected" "${first_line//|/\\|}" "$named" "$object_named" "$others" "$seconds" "${flags:-none}" >> "$WORK/table.md"
  echo "$name: $first_line" >&2
}

for i in $(seq 1 "$HEALTHY_RUNS"); do
  reset_server
  pgbench -c 4 -j 2 -T 9 -f "$WORK/lookup.sql" & INJECTORS+=($!)
  sleep 3; drill "healthy surge $i (4 clients of point lookups)" none ""; stop_injectors
done

reset_server
(echo "BEGIN; UPDATE drill_items SET qty = qty + 1 WHERE id = 1;"; sleep 20) | PGAPPNAME=drill_holder psql 2>/dev/null & INJECTORS+=($!)
sleep 1
PGAPPNAME=drill_waiter psql -c "UPDATE drill_items SET qty = 0 WHERE id = 1" 2>/dev/null & INJECTORS+=($!)
PGAPPNAME=drill_waiter psql -c "UPDATE drill_items SET qty = 5 WHERE id = 1" 2>/dev/null & INJECTORS+=($!)
sleep 2; HOLDER=$(pid_of drill_holder)
drill "blocking chain" blocking_chain "pid $HOLDER "; stop_injectors

reset_server
(echo "BEGIN; UPDATE drill_items SET qty = 0 WHERE id = 7;"; sleep 20) | PGAPPNAME=drill_idle psql 2>/dev/null & INJECTORS+=($!)
sleep 6; IDLE=$(pid_of drill_idle)
drill "idle in transaction" idle_in_transaction "pid $IDLE "; stop_injectors

reset_server
pgbench -c 1 -T 9 -f "$WORK/seqscan.sql" & INJECTORS+=($!)
sleep 3; drill "missing index (seq scan of 200k rows)" missing_index "drill_items"; stop_injectors

reset_server
pgbench -c 1 -T 9 -f "$WORK/spill.sql" & INJECTORS+=($!)
sleep 3; drill "temp spill (sort, work_mem 64kB)" temp_spill "ORDER BY md5(sku)"; stop_injectors

reset_server
psql <<'SQL'
CREATE TABLE drill_stale (id serial PRIMARY KEY, kind int NOT NULL) WITH (autovacuum_enabled = false);
INSERT INTO drill_stale (kind) SELECT g FROM generate_series(1, 1000) g;
ANALYZE drill_stale;
CREATE INDEX ON drill_stale (kind);
INSERT INTO drill_stale (kind) SELECT 1 FROM generate_series(1, 300000);
SQL
pgbench -c 1 -T 9 -f "$WORK/stale.sql" & INJECTORS+=($!)
sleep 3; drill "stale statistics (300k rows since analyze)" stale_statistics "drill_stale"; stop_injectors
psql -c "DROP TABLE drill_stale"

reset_server
psql <<'SQL'
CREATE TABLE drill_bloat (id int PRIMARY KEY, v int) WITH (autovacuum_enabled = false);
INSERT INTO drill_bloat SELECT g, 0 FROM generate_series(1, 100000) g;
UPDATE drill_bloat SET v = 1;
UPDATE drill_bloat SET v = 2;
SQL
sleep 1; drill "autovacuum lag (200k dead tuples)" autovacuum_lag "drill_bloat"
psql -c "DROP TABLE drill_bloat"

reset_server
for i in $(seq 1 35); do (sleep 15 | PGAPPNAME=drill_hog psql 2>/dev/null) & INJECTORS+=($!); done
sleep 2; drill "connection exhaustion (35 idle of 37)" connection_exhaustion "drill_hog"; stop_injectors

reset_server
pgbench -c 6 -j 2 -T 10 -f "$WORK/cpu.sql" & INJECTORS+=($!)
sleep 3; drill "CPU saturation (6 heavy clients, $(nproc) cores)" cpu_saturation "generate_series"; stop_injectors

reset_server
psql -c "ALTER SYSTEM SET max_wal_size = '32MB'" -c "SELECT pg_reload_conf()" >/dev/null
pgbench -c 2 -T 9 -f "$WORK/wal.sql" & INJECTORS+=($!)
sleep 3; drill "checkpoint storm (max_wal_size 32MB, bulk inserts)" checkpoint_storm "max_wal_size"; stop_injectors
psql -c "ALTER SYSTEM RESET max_wal_size" -c "SELECT pg_reload_conf()" -c "TRUNCATE drill_wal" >/dev/null

reset_server
PGAPPNAME=drill_long psql -c "SELECT pg_sleep(60)" 2>/dev/null & INJECTORS+=($!)
sleep 32; LONG=$(pid_of drill_long)
drill "long-running query (32 s)" long_running_query "pid $LONG "; stop_injectors

echo
cat "$WORK/table.md"
echo
echo "false alarms on $HEALTHY_RUNS healthy runs: $FALSE_ALARMS"
