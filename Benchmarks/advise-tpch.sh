#!/usr/bin/env bash
# surge advise on a public benchmark's queries it was not built with: TPC-H queries 1, 3, 4, 5, 6,
# 10, 12, 14, 17, 19 (Benchmarks/tpch/queries.sql, the specification's default parameters) on
# TPC-H-like data made with generate_series (Benchmarks/tpch/schema-and-data.sql; dbgen is not
# packaged here, so the data follows the specification's domains, not dbgen's exact text).
# Real DB time (pg_stat_statements total_exec_time) of the same mix, side by side:
#   none  — primary keys only;  naive — one B-tree on every filtered or joined column;
#   surge — `surge advise --workload queries.sql`, its migration applied.
# Usage: Benchmarks/advise-tpch.sh [scale-factor (default 0.05)] [rounds (default 1)]
#   Without indexes Q17 runs its correlated subquery as a full scan of lineitem per row (~17 s a call
#   at 0.05 on a loaded 2-core machine): keep the scale small.
#   SURGE_BIN=.build/debug/surge to use a debug build (advise time is then not representative).
#   EAB_PYTHON=/path/to/python with `index-eab` and `psycopg2-binary` installed adds a row for
#   Index-EAB's Extend algorithm (Benchmarks/tpch/eab_advise.py; 500 MB budget, width 2, 15 indexes).
#   EXTRA="name=command …" adds other advisors: `command PORT DATABASE QUERIES.json` prints CREATE INDEX lines.
set -euo pipefail
cd "$(dirname "$0")/.."
SF=${1:-0.05}
ROUNDS=${2:-1}
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
export PATH="$PGBIN:$PATH"
SURGE=${SURGE_BIN:-.build/release/surge}
[ -x "$SURGE" ] || swift build -c release --product surge >/dev/null
WORK=$(mktemp -d /tmp/surge-advise-tpch.XXXXXX)
chmod 755 "$WORK"
PORT=$((20000 + RANDOM % 20000))
RUN=()
if [ "$(id -u)" = 0 ]; then chown postgres "$WORK"; RUN=(runuser -u postgres --); fi
cleanup() { "${RUN[@]}" "$PGBIN/pg_ctl" -D "$WORK/data" -m fast stop >/dev/null 2>&1 || true; rm -rf "$WORK"; }
trap cleanup EXIT
(cd /tmp && "${RUN[@]}" "$PGBIN/initdb" -D "$WORK/data" -U postgres --auth=trust >/dev/null)
cat >> "$WORK/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$WORK'
shared_preload_libraries = 'pg_stat_statements'
pg_stat_statements.track = top
fsync = off
synchronous_commit = off
max_parallel_workers_per_gather = 0
CONF
(cd /tmp && "${RUN[@]}" "$PGBIN/pg_ctl" -D "$WORK/data" -l "$WORK/pg.log" -w start >/dev/null)
export PGHOST=127.0.0.1 PGPORT=$PORT PGUSER=postgres PGDATABASE=tpch
URL="postgres://postgres@127.0.0.1:$PORT/tpch"
psql -q -d postgres -c "CREATE DATABASE tpch"
psql -q -c "CREATE EXTENSION pg_stat_statements" -c "CREATE EXTENSION hypopg"
T0=$(date +%s)
psql -q -v ON_ERROR_STOP=1 -v sf="$SF" -f Benchmarks/tpch/schema-and-data.sql >/dev/null
echo "data generated in $(( $(date +%s) - T0 )) s: $(psql -qAt -c "SELECT count(*) FROM lineitem") lines, $(psql -qAt -c "SELECT count(*) FROM orders") orders"

# The mix: each query as often as its `-- calls: N` says, ROUNDS times.
MIX="$WORK/mix.sql"; : > "$MIX"
python3 - "$MIX" "$ROUNDS" <<'PY'
import re, sys
text = open("Benchmarks/tpch/queries.sql").read()
out, rounds = open(sys.argv[1], "w"), int(sys.argv[2])
for _ in range(rounds):
    for block in re.split(r"^-- calls: ", text, flags=re.M)[1:]:
        n, sql = block.split("\n", 1)
        out.write((sql.strip() + "\n") * int(n))
PY
# workload NAME: runs the mix, keeps each query's mean time under NAME, prints the total DB time.
psql -q -c "CREATE TABLE IF NOT EXISTS bench_means (variant text, query text, mean_ms numeric)"
workload() {
  psql -qAt -c "SELECT pg_stat_statements_reset()" >/dev/null
  psql -q -f "$MIX" >/dev/null
  psql -qAt -c "INSERT INTO bench_means SELECT '$1', left(regexp_replace(query, '\s+', ' ', 'g'), 60), round(mean_exec_time::numeric, 1) FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = 'tpch') AND query ~* '^select' AND query !~* 'pg_stat|bench_means'" >/dev/null
  psql -qAt -c "SELECT round(sum(total_exec_time)::numeric, 1) FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = 'tpch') AND query ~* '^select' AND query !~* 'pg_stat|bench_means'"
  # Σ calls × fastest run: robust to the load spikes of a shared machine (a plan that did not change
  # varied 3× in total time between variants here).
  psql -qAt -c "SELECT round(sum(calls * min_exec_time)::numeric / $ROUNDS, 1) FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = 'tpch') AND query ~* '^select' AND query !~* 'pg_stat|bench_means'" > "$WORK/min-$1"
}
fastest() { cat "$WORK/min-$1"; }
TABLES="'lineitem'::regclass, 'orders'::regclass, 'customer'::regclass, 'part'::regclass, 'partsupp'::regclass, 'supplier'::regclass, 'nation'::regclass, 'region'::regclass"
secondary_bytes() { psql -qAt -c "SELECT coalesce(sum(pg_relation_size(indexrelid)), 0) FROM pg_index WHERE NOT indisprimary AND indrelid IN ($TABLES)"; }
secondary_count() { psql -qAt -c "SELECT count(*) FROM pg_index WHERE NOT indisprimary AND indrelid IN ($TABLES)"; }
drop_secondary() {
  psql -qAt -c "SELECT indexrelid::regclass FROM pg_index WHERE NOT indisprimary AND indrelid IN ($TABLES)" |
    while read -r idx; do psql -q -c "DROP INDEX $idx"; done
}

NONE=$(workload none)   # the data was just written and vacuumed: the cache is warm

psql -q <<'SQL'
CREATE INDEX ON lineitem (l_partkey); CREATE INDEX ON lineitem (l_suppkey); CREATE INDEX ON lineitem (l_shipdate);
CREATE INDEX ON lineitem (l_receiptdate); CREATE INDEX ON lineitem (l_shipmode); CREATE INDEX ON lineitem (l_returnflag);
CREATE INDEX ON lineitem (l_quantity); CREATE INDEX ON lineitem (l_discount); CREATE INDEX ON lineitem (l_shipinstruct);
CREATE INDEX ON orders (o_custkey); CREATE INDEX ON orders (o_orderdate); CREATE INDEX ON customer (c_mktsegment);
CREATE INDEX ON customer (c_nationkey); CREATE INDEX ON supplier (s_nationkey); CREATE INDEX ON nation (n_regionkey);
CREATE INDEX ON region (r_name); CREATE INDEX ON part (p_brand); CREATE INDEX ON part (p_container); CREATE INDEX ON part (p_size);
CREATE INDEX ON part (p_type);
ANALYZE;
SQL
NAIVE_N=$(secondary_count); NAIVE_B=$(secondary_bytes)
NAIVE=$(workload naive)
drop_secondary
psql -q -c "ANALYZE"

T0=$(date +%s.%N)
"$SURGE" advise --database-url "$URL" --workload Benchmarks/tpch/queries.sql --statement-timeout 60s --output "$WORK/migration.sql" > "$WORK/advice.txt"
T1=$(date +%s.%N)
ADVISE_S=$(echo "$T1 - $T0" | bc)
grep -v '^DROP INDEX' "$WORK/migration.sql" > "$WORK/create.sql"
psql -q -v ON_ERROR_STOP=1 -f "$WORK/create.sql" >/dev/null 2>"$WORK/apply.err" || { cat "$WORK/apply.err"; exit 1; }
psql -q -c "ANALYZE"
SURGE_N=$(secondary_count); SURGE_B=$(secondary_bytes)
SURGED=$(workload surge)
if [ -n "${EAB_PYTHON:-}" ]; then
  drop_secondary
  psql -q -c "ANALYZE"
  T0=$(date +%s.%N)
  "$EAB_PYTHON" Benchmarks/tpch/eab_advise.py "$PORT" tpch Benchmarks/tpch/queries.sql > "$WORK/eab.sql"
  T1=$(date +%s.%N)
  EAB_S=$(echo "$T1 - $T0" | bc)
  psql -q -v ON_ERROR_STOP=1 -f "$WORK/eab.sql" >/dev/null
  psql -q -c "ANALYZE"
  EAB_N=$(secondary_count); EAB_B=$(secondary_bytes)
  EAB=$(workload eab)
fi

# EXTRA="name=command …": another advisor, run as `command PORT DATABASE QUERIES.json` (the ten query
# texts, a JSON array) against the database without secondary indexes; it prints CREATE INDEX lines.
EXTRAS=()
if [ -n "${EXTRA:-}" ]; then
  python3 - "$WORK/queries.json" <<'PY'
import json, re, sys
text = open("Benchmarks/tpch/queries.sql").read()
json.dump([block.split("\n", 1)[1].strip().rstrip(";") for block in re.split(r"^-- calls: ", text, flags=re.M)[1:]], open(sys.argv[1], "w"))
PY
fi
for extra in ${EXTRA:-}; do
  name=${extra%%=*}; cmd=${extra#*=}
  drop_secondary
  psql -q -c "ANALYZE"
  T0=$(date +%s.%N)
  $cmd "$PORT" tpch "$WORK/queries.json" > "$WORK/$name.sql"
  printf -v "SECONDS_$name" '%s' "$(echo "$(date +%s.%N) - $T0" | bc)"
  psql -q -v ON_ERROR_STOP=1 -f "$WORK/$name.sql" >/dev/null
  psql -q -c "ANALYZE"
  printf -v "COUNT_$name" '%s' "$(secondary_count)"; printf -v "BYTES_$name" '%s' "$(secondary_bytes)"
  printf -v "TOTAL_$name" '%s' "$(workload "$name")"
  EXTRAS+=("$name")
done

printf '\nsurge advise on TPC-H queries (scale factor %s, generate_series data), %s rounds of the mix\n\n' "$SF" "$ROUNDS"
row() {  # name total indexes bytes advise-seconds
  local min; min=$(fastest "$1")
  printf '%-8s %14s %8s %16s %8s %8s %12s %10s\n' "$1" "$2" "$(echo "scale=4; $2 / $NONE" | bc)" "$min" \
    "$(echo "scale=4; $min / $(fastest none)" | bc)" "$3" "$4" "$5"
}
printf '%-8s %14s %8s %16s %8s %8s %12s %10s\n' "advice" "DB time (ms)" "÷ none" "Σ calls×min (ms)" "÷ none" "indexes" "index bytes" "advise s"
row none "$NONE" 0 0 ""
row naive "$NAIVE" "$NAIVE_N" "$NAIVE_B" ""
row surge "$SURGED" "$SURGE_N" "$SURGE_B" "$ADVISE_S"
if [ -n "${EAB_PYTHON:-}" ]; then row eab "$EAB" "$EAB_N" "$EAB_B" "$EAB_S"; fi
for name in "${EXTRAS[@]}"; do total=TOTAL_$name; count=COUNT_$name; bytes=BYTES_$name; secs=SECONDS_$name; row "$name" "${!total}" "${!count}" "${!bytes}" "${!secs}"; done
echo
echo "surge migration (CREATE only):"
grep -E '^CREATE' "$WORK/create.sql" | sed 's/^/  /'
if [ -n "${EAB_PYTHON:-}" ]; then echo "Index-EAB Extend:"; sed 's/^/  /' "$WORK/eab.sql"; fi
for name in "${EXTRAS[@]}"; do echo "$name:"; sed 's/^/  /' "$WORK/$name.sql"; done
echo
echo "mean ms per query and advice:"
EXTRA_COLUMNS=""
for name in "${EXTRAS[@]}"; do EXTRA_COLUMNS+=", max(mean_ms) FILTER (WHERE variant = '$name') AS $name"; done
psql -q -c "SELECT query, max(mean_ms) FILTER (WHERE variant = 'none') AS none, max(mean_ms) FILTER (WHERE variant = 'naive') AS naive,
    max(mean_ms) FILTER (WHERE variant = 'surge') AS surge, max(mean_ms) FILTER (WHERE variant = 'eab') AS eab $EXTRA_COLUMNS
  FROM bench_means GROUP BY query ORDER BY max(mean_ms) FILTER (WHERE variant = 'none') DESC"
