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
#   SURGE_AT="naive eab …" adds `surge_at_NAME`: surge advise --max-bytes at that set's built bytes.
#   TURNS=N (default 1): the index sets take turns N times; the table gives the median total.
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
# workload NAME ROUND: runs the mix, keeps each query's calls, mean and fastest call under NAME, prints the total DB time.
psql -q -c "CREATE TABLE IF NOT EXISTS bench_runs (variant text, round int, query text, calls bigint, mean_ms numeric, min_ms numeric)"
TPCH_STATEMENTS="dbid = (SELECT oid FROM pg_database WHERE datname = 'tpch') AND query ~* '^select' AND query !~* 'pg_stat|bench_'"
workload() {
  psql -qAt -c "SELECT pg_stat_statements_reset()" >/dev/null
  psql -q -f "$MIX" >/dev/null
  psql -qAt -c "INSERT INTO bench_runs SELECT '$1', $2, left(regexp_replace(query, '\s+', ' ', 'g'), 60), calls, round(mean_exec_time::numeric, 1), min_exec_time FROM pg_stat_statements WHERE $TPCH_STATEMENTS" >/dev/null
  psql -qAt -c "SELECT round(sum(total_exec_time)::numeric, 1) FROM pg_stat_statements WHERE $TPCH_STATEMENTS"
}
# Σ calls × each query's fastest call over every turn of NAME, per mix (robust to a shared machine's load
# spikes: a plan that did not change varied 3× in total time between variants here).
fastest() { psql -qAt -c "SELECT round(sum(c * m)::numeric / $ROUNDS, 1) FROM (SELECT query, max(calls) AS c, min(min_ms) AS m FROM bench_runs WHERE variant = '$1' GROUP BY query) f"; }
TABLES="'lineitem'::regclass, 'orders'::regclass, 'customer'::regclass, 'part'::regclass, 'partsupp'::regclass, 'supplier'::regclass, 'nation'::regclass, 'region'::regclass"
secondary_bytes() { psql -qAt -c "SELECT coalesce(sum(pg_relation_size(indexrelid)), 0) FROM pg_index WHERE NOT indisprimary AND indrelid IN ($TABLES)"; }
secondary_count() { psql -qAt -c "SELECT count(*) FROM pg_index WHERE NOT indisprimary AND indrelid IN ($TABLES)"; }
drop_secondary() {
  psql -qAt -c "SELECT indexrelid::regclass FROM pg_index WHERE NOT indisprimary AND indrelid IN ($TABLES)" |
    while read -r idx; do psql -q -c "DROP INDEX $idx"; done
  psql -q -c "ANALYZE"
}

NONE=$(workload none 1)   # the data was just written and vacuumed: the cache is warm

cat > "$WORK/naive.sql" <<'SQL'
CREATE INDEX ON lineitem (l_partkey); CREATE INDEX ON lineitem (l_suppkey); CREATE INDEX ON lineitem (l_shipdate);
CREATE INDEX ON lineitem (l_receiptdate); CREATE INDEX ON lineitem (l_shipmode); CREATE INDEX ON lineitem (l_returnflag);
CREATE INDEX ON lineitem (l_quantity); CREATE INDEX ON lineitem (l_discount); CREATE INDEX ON lineitem (l_shipinstruct);
CREATE INDEX ON orders (o_custkey); CREATE INDEX ON orders (o_orderdate); CREATE INDEX ON customer (c_mktsegment);
CREATE INDEX ON customer (c_nationkey); CREATE INDEX ON supplier (s_nationkey); CREATE INDEX ON nation (n_regionkey);
CREATE INDEX ON region (r_name); CREATE INDEX ON part (p_brand); CREATE INDEX ON part (p_container); CREATE INDEX ON part (p_size);
CREATE INDEX ON part (p_type);
SQL
VARIANTS=(naive surge)

T0=$(date +%s.%N)
"$SURGE" advise --database-url "$URL" --workload Benchmarks/tpch/queries.sql --statement-timeout 60s --output "$WORK/migration.sql" > "$WORK/advice.txt"
SECONDS_surge=$(echo "$(date +%s.%N) - $T0" | bc)
grep -E '^CREATE' "$WORK/migration.sql" | sed 's/ CONCURRENTLY//' > "$WORK/surge.sql" || true
if [ -n "${EAB_PYTHON:-}" ]; then
  T0=$(date +%s.%N)
  "$EAB_PYTHON" Benchmarks/tpch/eab_advise.py "$PORT" tpch Benchmarks/tpch/queries.sql > "$WORK/eab.sql"
  SECONDS_eab=$(echo "$(date +%s.%N) - $T0" | bc)
  VARIANTS+=(eab)
fi
# EXTRA="name=command …": another advisor, run as `command PORT DATABASE QUERIES.json` (the ten query
# texts, a JSON array) against the database without secondary indexes; it prints CREATE INDEX lines.
if [ -n "${EXTRA:-}" ]; then
  python3 - "$WORK/queries.json" <<'PY'
import json, re, sys
text = open("Benchmarks/tpch/queries.sql").read()
json.dump([block.split("\n", 1)[1].strip().rstrip(";") for block in re.split(r"^-- calls: ", text, flags=re.M)[1:]], open(sys.argv[1], "w"))
PY
fi
for extra in ${EXTRA:-}; do
  name=${extra%%=*}; cmd=${extra#*=}
  T0=$(date +%s.%N)
  $cmd "$PORT" tpch "$WORK/queries.json" > "$WORK/$name.sql"
  printf -v "SECONDS_$name" '%s' "$(echo "$(date +%s.%N) - $T0" | bc)"
  VARIANTS+=("$name")
done
# SURGE_AT="naive eab …": surge under --max-bytes set to each named set's built bytes, as surge_at_NAME.
for other in ${SURGE_AT:-}; do
  [ -f "$WORK/$other.sql" ] || { echo "SURGE_AT: no index set named $other (one of: ${VARIANTS[*]})" >&2; exit 2; }
  drop_secondary
  psql -q -v ON_ERROR_STOP=1 -f "$WORK/$other.sql" >/dev/null
  budget=$(secondary_bytes)
  drop_secondary
  T0=$(date +%s.%N)
  "$SURGE" advise --database-url "$URL" --workload Benchmarks/tpch/queries.sql --statement-timeout 60s --max-bytes "$budget" --output "$WORK/migration-at-$other.sql" > "$WORK/advice-at-$other.txt"
  printf -v "SECONDS_surge_at_$other" '%s' "$(echo "$(date +%s.%N) - $T0" | bc)"
  grep -E '^CREATE' "$WORK/migration-at-$other.sql" | sed 's/ CONCURRENTLY//' > "$WORK/surge_at_$other.sql" || true
  VARIANTS+=("surge_at_$other")
done
# TURNS=N (default 1): every index set runs the mix N times, the sets taking turns (each turn starting
# one set later, a CHECKPOINT after each set's CREATE INDEX), so a slow minute of a shared machine falls
# on one turn of every set rather than on one set. The table gives the median of the turns' totals.
TURNS=${TURNS:-1}
for turn in $(seq 1 "$TURNS"); do
  n=${#VARIANTS[@]}
  for i in $(seq 0 $((n - 1))); do
    v=${VARIANTS[$(( (i + turn - 1) % n ))]}
    drop_secondary
    psql -q -v ON_ERROR_STOP=1 -f "$WORK/$v.sql" >/dev/null && psql -q -c "ANALYZE" -c "CHECKPOINT"
    if [ "$turn" = 1 ]; then printf -v "COUNT_$v" '%s' "$(secondary_count)"; printf -v "BYTES_$v" '%s' "$(secondary_bytes)"; fi
    workload "$v" "$turn" > "$WORK/total-$v-$turn"
  done
done
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

printf '\nsurge advise on TPC-H queries (scale factor %s, generate_series data), %s rounds of the mix a turn, %s turns\n\n' "$SF" "$ROUNDS" "$TURNS"
printf '%-14s %14s %8s %16s %8s %8s %12s %10s\n' "advice" "DB time (ms)" "÷ none" "Σ calls×min (ms)" "÷ none" "indexes" "index bytes" "advise s"
NONE_MIN=$(fastest none)
printf '%-14s %14s %8s %16s %8s %8s %12s %10s\n' none "$NONE" 1.0000 "$NONE_MIN" 1.0000 0 0 ""
for v in "${VARIANTS[@]}"; do
  med=$(cat "$WORK"/total-"$v"-* | median); min=$(fastest "$v")
  count=COUNT_$v; bytes=BYTES_$v; secs=SECONDS_$v
  printf '%-14s %14s %8s %16s %8s %8s %12s %10s\n' "$v" "$med" "$(echo "scale=4; $med / $NONE" | bc)" "$min" \
    "$(echo "scale=4; $min / $NONE_MIN" | bc)" "${!count}" "${!bytes}" "${!secs:-}"
done
echo
for v in "${VARIANTS[@]}"; do [ "$v" = naive ] || { echo "$v:"; sed 's/^/  /' "$WORK/$v.sql"; }; done
echo
echo "mean ms per query and advice (the median of the turns):"
COLUMNS_SQL=""
for v in "${VARIANTS[@]}"; do COLUMNS_SQL+=", round(percentile_cont(0.5) WITHIN GROUP (ORDER BY mean_ms) FILTER (WHERE variant = '$v')::numeric, 1) AS $v"; done
psql -q -c "SELECT query, max(mean_ms) FILTER (WHERE variant = 'none') AS none $COLUMNS_SQL
  FROM bench_runs GROUP BY query ORDER BY max(mean_ms) FILTER (WHERE variant = 'none') DESC"
