#!/usr/bin/env bash
# surge advise on a public application's ORM workload it was not built with: django-helpdesk (PyPI,
# an issue tracker, pinned below), installed in a venv, its schema made by its own migrations, its
# data made through its own models (Benchmarks/orm/generate.py), and a fixed, seeded mix of its own
# pages — dashboard, ticket lists, ticket pages, the public ticket view, its API, knowledge base
# and RSS feeds — driven through its own views and ORM (Benchmarks/orm/drive.py, Django's test
# client in process; only the database is real).
# Real DB time (pg_stat_statements total_exec_time) of the same mix, side by side:
#   none  — primary keys and unique constraints only (every other index dropped);
#   app   — the indexes the application's own migrations make;
#   naive — one B-tree on every column a statement compares or sorts on (Benchmarks/orm/naive_indexes.py);
#   surge — `surge advise` from pg_stat_statements of the `none` run, its migration applied;
#   eab   — Index-EAB's Extend algorithm (PyPI index-eab, Benchmarks/tpch/eab_advise.py) on the
#           SELECTs the `none` run executed, with their literals (drive.py's workload file).
# Usage: Benchmarks/advise-orm.sh [tickets (default 20000)] [page requests (default 200)]
#   Python packages go into venvs under /tmp (ORM_VENV, EAB_VENV; made and filled with pip when
#   missing: django-helpdesk 2.6.1, psycopg2-binary, index-eab 0.1.0). SKIP_EAB=1 leaves Index-EAB out.
#   SURGE_BIN=.build/debug/surge to use a debug build (advise time is then not representative).
#   KEEP_ADVICE=FILE keeps surge's full report (why each index, what it rejected).
#   ROUNDS=N (default 3): each index set runs the page mix N times, the sets taking turns; the table
#   shows the median total and each statement's fastest call over the rounds.
#   SURGE_MAX_BYTES=N adds `surge_cap`: surge advise --max-bytes N (e.g. another advisor's index bytes).
#   SURGE_AT="naive eab ia" adds `surge_at_NAME` for each: surge advise --max-bytes set to the bytes that
#   set's indexes take once built, so each advisor is compared with surge in the same index space.
#   EXTRA="name=command …" adds another advisor: `command PORT DATABASE PGSS.json` runs against the
#   unindexed database with the `none` run's SELECT texts (a JSON array) and prints CREATE INDEX lines.
#   Takes ~25 minutes at the defaults on a 2-core machine, 10 of them the `none` run: without
#   an index on helpdesk_followup (ticket_id) the ticket lists' correlated last-follow-up subquery
#   scans the follow-ups once per ticket (2-4 s a list call at 20,000 tickets, growing with the square).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
TICKETS=${1:-20000}
REQUESTS=${2:-200}
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
export PATH="$PGBIN:$PATH"
SURGE=${SURGE_BIN:-.build/release/surge}
[ -x "$SURGE" ] || swift build -c release --product surge >/dev/null
ORM_VENV=${ORM_VENV:-/tmp/surge-orm-venv}
EAB_VENV=${EAB_VENV:-/tmp/surge-eab-venv}
if [ ! -x "$ORM_VENV/bin/python" ] || ! "$ORM_VENV/bin/python" -c "import helpdesk, psycopg2" 2>/dev/null; then
  python3 -m venv "$ORM_VENV" && "$ORM_VENV/bin/pip" install -q "django-helpdesk==2.6.1" psycopg2-binary
fi
if [ -z "${SKIP_EAB:-}" ] && { [ ! -x "$EAB_VENV/bin/python" ] || ! "$EAB_VENV/bin/python" -c "import index_eab, psycopg2" 2>/dev/null; }; then
  python3 -m venv "$EAB_VENV" && "$EAB_VENV/bin/pip" install -q "index-eab==0.1.0" psycopg2-binary
fi
WORK=$(mktemp -d /tmp/surge-advise-orm.XXXXXX)
chmod 755 "$WORK"
PORT=$((55400 + RANDOM % 100))
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
pg_stat_statements.max = 10000
fsync = off
synchronous_commit = off
max_parallel_workers_per_gather = 0
CONF
(cd /tmp && "${RUN[@]}" "$PGBIN/pg_ctl" -D "$WORK/data" -l "$WORK/pg.log" -w start >/dev/null)
export PGHOST=127.0.0.1 PGPORT=$PORT PGUSER=postgres PGDATABASE=helpdesk
export HELPDESK_PG_PORT=$PORT HELPDESK_PG_DB=helpdesk DJANGO_SETTINGS_MODULE=settings PYTHONWARNINGS=ignore
URL="postgres://postgres@127.0.0.1:$PORT/helpdesk"
psql -q -d postgres -c "CREATE DATABASE helpdesk"
psql -q -c "CREATE EXTENSION pg_stat_statements" -c "CREATE EXTENSION hypopg"
DJ() { (cd "$ROOT/Benchmarks/orm" && "$ORM_VENV/bin/python" "$@"); }
T0=$(date +%s)
DJ -m django migrate -v0
DJ generate.py "$TICKETS"
# As on a database autovacuum has seen (and as pgbench does after loading): the visibility map set, so
# that index-only scans are costed (by every advisor's planner) and run as they would in production.
psql -q -c "VACUUM ANALYZE"
echo "data generated in $(( $(date +%s) - T0 )) s"

# Secondary indexes: neither a primary key nor unique (those are the schema's, every variant keeps them).
SECONDARY="SELECT indexrelid::regclass FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
  WHERE NOT i.indisprimary AND NOT i.indisunique AND c.relnamespace = 'public'::regnamespace"
secondary_count() { psql -qAt -c "SELECT count(*) FROM ($SECONDARY) s"; }
secondary_bytes() { psql -qAt -c "SELECT coalesce(sum(pg_relation_size(indexrelid)), 0) FROM ($SECONDARY) s(indexrelid)"; }
drop_secondary() { psql -qAt -c "$SECONDARY" | while read -r idx; do psql -q -c "DROP INDEX $idx"; done; psql -q -c "ANALYZE"; }
psql -q -c "CREATE TABLE bench_means (variant text, queryid bigint, query text, calls int, mean_ms numeric, min_ms numeric)"
APP_STATEMENTS="dbid = (SELECT oid FROM pg_database WHERE datname = 'helpdesk') AND query !~* 'pg_stat|bench_means|hypopg|pg_catalog|^(BEGIN|COMMIT|SET|SHOW)'"
# workload NAME [WORKLOAD_FILE]: the same seeded page mix; prints the total DB time, keeps Σ calls × min.
workload() {
  psql -qAt -c "SELECT pg_stat_statements_reset(), pg_stat_reset()" >/dev/null
  DJ drive.py "$REQUESTS" 7 ${2:+"$2"} > "$WORK/drive-$1.txt"
  grep -q "not 200" "$WORK/drive-$1.txt" && { echo "pages failed under $1:" >&2; cat "$WORK/drive-$1.txt" >&2; exit 1; }
  psql -qAt -c "INSERT INTO bench_means SELECT '$1', queryid, left(regexp_replace(query, '\s+', ' ', 'g'), 90), calls, round(mean_exec_time::numeric, 2), min_exec_time FROM pg_stat_statements WHERE $APP_STATEMENTS" >/dev/null
  psql -qAt -c "SELECT round(sum(calls * min_exec_time)::numeric, 1) FROM pg_stat_statements WHERE $APP_STATEMENTS" > "$WORK/min-$1"
  psql -qAt -c "SELECT round(sum(total_exec_time)::numeric, 1) FROM pg_stat_statements WHERE $APP_STATEMENTS"
}

psql -qAt -c "SELECT pg_get_indexdef(indexrelid) || ';' FROM ($SECONDARY) s(indexrelid)" > "$WORK/app.sql"
drop_secondary
DJ drive.py 40 3 >/dev/null   # warm the cache and Django's own first-request work
NONE=$(workload none "$WORK/workload.sql")
# The SELECT texts pg_stat_statements holds after the `none` run, as a JSON array (input for an EXTRA advisor).
psql -qAt -c "SELECT coalesce(json_agg(query ORDER BY total_exec_time DESC), '[]') FROM pg_stat_statements WHERE $APP_STATEMENTS AND query ~* '^\\s*(select|with)'" > "$WORK/pgss.json"
# surge reads the `none` run's pg_stat_statements and the table writes since the same reset.
T0=$(date +%s.%N)
"$SURGE" advise --database-url "$URL" --statement-timeout 60s --output "$WORK/migration.sql" > "$WORK/advice.txt"
SECONDS_surge=$(echo "$(date +%s.%N) - $T0" | bc)
grep -E '^CREATE' "$WORK/migration.sql" | sed 's/ CONCURRENTLY//' > "$WORK/surge.sql" || true
VARIANTS=(app naive surge)
# SURGE_MAX_BYTES=N: surge again under a byte budget (e.g. another advisor's index bytes), as `surge_cap`.
if [ -n "${SURGE_MAX_BYTES:-}" ]; then
  T0=$(date +%s.%N)
  "$SURGE" advise --database-url "$URL" --statement-timeout 60s --max-bytes "$SURGE_MAX_BYTES" --output "$WORK/migration-cap.sql" > "$WORK/advice-cap.txt"
  SECONDS_surge_cap=$(echo "$(date +%s.%N) - $T0" | bc)
  grep -E '^CREATE' "$WORK/migration-cap.sql" | sed 's/ CONCURRENTLY//' > "$WORK/surge_cap.sql" || true
  VARIANTS+=(surge_cap)
fi
DJ naive_indexes.py "$WORK/workload.sql" "$PORT" helpdesk > "$WORK/naive.sql"
if [ -z "${SKIP_EAB:-}" ]; then
  T0=$(date +%s.%N)
  "$EAB_VENV/bin/python" Benchmarks/tpch/eab_advise.py "$PORT" helpdesk "$WORK/workload.sql" > "$WORK/eab.sql"
  SECONDS_eab=$(echo "$(date +%s.%N) - $T0" | bc)
  VARIANTS+=(eab)
fi
# EXTRA="name=command …": another advisor, run as `command PORT DATABASE PGSS_JSON` against the unindexed
# database; it prints CREATE INDEX statements. (How supabase's index_advisor was run: BENCHMARKS.md.)
for extra in ${EXTRA:-}; do
  name=${extra%%=*}; cmd=${extra#*=}
  T0=$(date +%s.%N)
  $cmd "$PORT" helpdesk "$WORK/pgss.json" > "$WORK/$name.sql"
  printf -v "SECONDS_$name" '%s' "$(echo "$(date +%s.%N) - $T0" | bc)"
  VARIANTS+=("$name")
done
# SURGE_AT="naive ia …": surge again under --max-bytes set to each named index set's built bytes, as
# surge_at_NAME: does surge do better than that advisor within the same index space?
for other in ${SURGE_AT:-}; do
  [ -f "$WORK/$other.sql" ] || { echo "SURGE_AT: no index set named $other (one of: ${VARIANTS[*]})" >&2; exit 2; }
  drop_secondary
  psql -q -v ON_ERROR_STOP=1 -f "$WORK/$other.sql" >/dev/null
  budget=$(secondary_bytes)
  drop_secondary
  T0=$(date +%s.%N)
  "$SURGE" advise --database-url "$URL" --statement-timeout 60s --max-bytes "$budget" --output "$WORK/migration-at-$other.sql" > "$WORK/advice-at-$other.txt"
  printf -v "SECONDS_surge_at_$other" '%s' "$(echo "$(date +%s.%N) - $T0" | bc)"
  grep -E '^CREATE' "$WORK/migration-at-$other.sql" | sed 's/ CONCURRENTLY//' > "$WORK/surge_at_$other.sql" || true
  VARIANTS+=("surge_at_$other")
done
# Every index set runs the same page mix ROUNDS times, the sets taking turns within a round (each
# round starting one set later), so that a slow minute of this shared machine, or the writes left
# behind by the previous set's DROP and CREATE INDEX, fall on one round of every set rather than on one set.
ROUNDS=${ROUNDS:-3}
for round in $(seq 1 "$ROUNDS"); do
  n=${#VARIANTS[@]}
  for i in $(seq 0 $((n - 1))); do
    v=${VARIANTS[$(( (i + round - 1) % n ))]}
    drop_secondary
    psql -q -v ON_ERROR_STOP=1 -f "$WORK/$v.sql" >/dev/null && psql -q -c "ANALYZE" -c "CHECKPOINT"
    if [ "$round" = 1 ]; then printf -v "COUNT_$v" '%s' "$(secondary_count)"; printf -v "BYTES_$v" '%s' "$(secondary_bytes)"; fi
    workload "$v" > "$WORK/total-$v-$round"
    mv "$WORK/min-$v" "$WORK/min-$v-$round"
  done
done
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
printf '\nsurge advise on django-helpdesk %s tickets, %s page requests (seed 7), %s rounds\n\n' "$TICKETS" "$REQUESTS" "$ROUNDS"
echo "DB time: the median of the rounds' totals (min-max beside); Σ calls × min: each statement's calls × its fastest call in any round"
printf '%-8s %12s %8s %20s %14s %8s %8s %12s %9s\n' "advice" "DB time (ms)" "÷ none" "rounds (ms)" "Σ calls×min" "÷ none" "indexes" "index bytes" "advise s"
printf '%-8s %12s %8s %20s %14s %8s %8s %12s %9s\n' none "$NONE" 1.0000 "" "$(cat "$WORK/min-none")" 1.0000 0 0 ""
for v in "${VARIANTS[@]}"; do
  med=$(cat "$WORK"/total-"$v"-* | median)
  range="$(cat "$WORK"/total-"$v"-* | sort -n | head -1)-$(cat "$WORK"/total-"$v"-* | sort -n | tail -1)"
  min=$(psql -qAt -c "SELECT round(sum(calls * min_ms)::numeric, 1) FROM (SELECT queryid, max(calls) AS calls, min(min_ms) AS min_ms FROM bench_means WHERE variant = '$v' GROUP BY queryid) s")
  count=COUNT_$v; bytes=BYTES_$v; secs=SECONDS_$v
  printf '%-8s %12s %8s %20s %14s %8s %8s %12s %9s\n' "$v" "$med" "$(echo "scale=4; $med / $NONE" | bc)" "$range" "$min" \
    "$(echo "scale=4; $min / $(cat "$WORK/min-none")" | bc)" "${!count}" "${!bytes}" "${!secs:-}"
done
echo "$(grep -c '^-- calls' "$WORK/workload.sql") SELECT statements in the workload file; $(psql -qAt -c "SELECT count(*) FROM bench_means WHERE variant = 'none'") statements in pg_stat_statements"
echo
echo "surge migration:"; sed 's/^/  /' "$WORK/surge.sql"
for v in "${VARIANTS[@]}"; do [ "$v" = app ] || [ "$v" = naive ] || [ "$v" = surge ] || { echo "$v:"; sed 's/^/  /' "$WORK/$v.sql"; }; done
echo
echo "statements by DB time without indexes (mean ms per call under each advice, the median of the rounds):"
COLUMNS_SQL=""
for v in "${VARIANTS[@]}"; do
  COLUMNS_SQL+=", round(percentile_cont(0.5) WITHIN GROUP (ORDER BY mean_ms) FILTER (WHERE variant = '$v')::numeric, 2) AS $v"
done
psql -q -c "SELECT max(calls) FILTER (WHERE variant = 'none') AS calls, max(query) AS query,
    max(mean_ms) FILTER (WHERE variant = 'none') AS none $COLUMNS_SQL
  FROM bench_means GROUP BY queryid
  ORDER BY max(calls * mean_ms) FILTER (WHERE variant = 'none') DESC NULLS LAST LIMIT 25"
if [ -n "${KEEP_ADVICE:-}" ]; then cp "$WORK/advice.txt" "$KEEP_ADVICE"; fi
