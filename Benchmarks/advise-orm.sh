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
#   Takes ~15 minutes at the defaults on a busy 2-core machine, 10 of them the `none` run: without
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
echo "data generated in $(( $(date +%s) - T0 )) s"

# Secondary indexes: neither a primary key nor unique (those are the schema's, every variant keeps them).
SECONDARY="SELECT indexrelid::regclass FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
  WHERE NOT i.indisprimary AND NOT i.indisunique AND c.relnamespace = 'public'::regnamespace"
secondary_count() { psql -qAt -c "SELECT count(*) FROM ($SECONDARY) s"; }
secondary_bytes() { psql -qAt -c "SELECT coalesce(sum(pg_relation_size(indexrelid)), 0) FROM ($SECONDARY) s(indexrelid)"; }
drop_secondary() { psql -qAt -c "$SECONDARY" | while read -r idx; do psql -q -c "DROP INDEX $idx"; done; psql -q -c "ANALYZE"; }
psql -q -c "CREATE TABLE bench_means (variant text, queryid bigint, query text, calls int, mean_ms numeric)"
APP_STATEMENTS="dbid = (SELECT oid FROM pg_database WHERE datname = 'helpdesk') AND query !~* 'pg_stat|bench_means|hypopg|pg_catalog|^(BEGIN|COMMIT|SET|SHOW)'"
# workload NAME [WORKLOAD_FILE]: the same seeded page mix; prints the total DB time, keeps Σ calls × min.
workload() {
  psql -qAt -c "SELECT pg_stat_statements_reset(), pg_stat_reset()" >/dev/null
  DJ drive.py "$REQUESTS" 7 ${2:+"$2"} > "$WORK/drive-$1.txt"
  grep -q "not 200" "$WORK/drive-$1.txt" && { echo "pages failed under $1:" >&2; cat "$WORK/drive-$1.txt" >&2; exit 1; }
  psql -qAt -c "INSERT INTO bench_means SELECT '$1', queryid, left(regexp_replace(query, '\s+', ' ', 'g'), 90), calls, round(mean_exec_time::numeric, 2) FROM pg_stat_statements WHERE $APP_STATEMENTS" >/dev/null
  psql -qAt -c "SELECT round(sum(calls * min_exec_time)::numeric, 1) FROM pg_stat_statements WHERE $APP_STATEMENTS" > "$WORK/min-$1"
  psql -qAt -c "SELECT round(sum(total_exec_time)::numeric, 1) FROM pg_stat_statements WHERE $APP_STATEMENTS"
}

psql -qAt -c "SELECT pg_get_indexdef(indexrelid) || ';' FROM ($SECONDARY) s(indexrelid)" > "$WORK/app.sql"
drop_secondary
DJ drive.py 40 3 >/dev/null   # warm the cache and Django's own first-request work
NONE=$(workload none "$WORK/workload.sql")
# surge reads the `none` run's pg_stat_statements and the table writes since the same reset.
T0=$(date +%s.%N)
"$SURGE" advise --database-url "$URL" --statement-timeout 60s --output "$WORK/migration.sql" > "$WORK/advice.txt"
SURGE_S=$(echo "$(date +%s.%N) - $T0" | bc)
grep -E '^CREATE' "$WORK/migration.sql" | sed 's/ CONCURRENTLY//' > "$WORK/surge.sql" || true
psql -q -v ON_ERROR_STOP=1 -f "$WORK/surge.sql" >/dev/null && psql -q -c "ANALYZE"
SURGE_N=$(secondary_count); SURGE_B=$(secondary_bytes)
SURGED=$(workload surge)

drop_secondary
psql -q -v ON_ERROR_STOP=1 -f "$WORK/app.sql" >/dev/null && psql -q -c "ANALYZE"
APP_N=$(secondary_count); APP_B=$(secondary_bytes)
APP=$(workload app)

drop_secondary
DJ naive_indexes.py "$WORK/workload.sql" "$PORT" helpdesk > "$WORK/naive.sql"
psql -q -v ON_ERROR_STOP=1 -f "$WORK/naive.sql" >/dev/null && psql -q -c "ANALYZE"
NAIVE_N=$(secondary_count); NAIVE_B=$(secondary_bytes)
NAIVE=$(workload naive)

if [ -z "${SKIP_EAB:-}" ]; then
  drop_secondary
  T0=$(date +%s.%N)
  "$EAB_VENV/bin/python" Benchmarks/tpch/eab_advise.py "$PORT" helpdesk "$WORK/workload.sql" > "$WORK/eab.sql"
  EAB_S=$(echo "$(date +%s.%N) - $T0" | bc)
  psql -q -v ON_ERROR_STOP=1 -f "$WORK/eab.sql" >/dev/null && psql -q -c "ANALYZE"
  EAB_N=$(secondary_count); EAB_B=$(secondary_bytes)
  EAB=$(workload eab)
fi

printf '\nsurge advise on django-helpdesk %s tickets, %s page requests (seed 7)\n\n' "$TICKETS" "$REQUESTS"
row() {  # name total indexes bytes advise-seconds
  local min; min=$(cat "$WORK/min-$1")
  printf '%-8s %14s %8s %16s %8s %8s %12s %10s\n' "$1" "$2" "$(echo "scale=4; $2 / $NONE" | bc)" "$min" \
    "$(echo "scale=4; $min / $(cat "$WORK/min-none")" | bc)" "$3" "$4" "$5"
}
printf '%-8s %14s %8s %16s %8s %8s %12s %10s\n' "advice" "DB time (ms)" "÷ none" "Σ calls×min (ms)" "÷ none" "indexes" "index bytes" "advise s"
row none "$NONE" 0 0 ""
row app "$APP" "$APP_N" "$APP_B" ""
row naive "$NAIVE" "$NAIVE_N" "$NAIVE_B" ""
row surge "$SURGED" "$SURGE_N" "$SURGE_B" "$SURGE_S"
if [ -z "${SKIP_EAB:-}" ]; then row eab "$EAB" "$EAB_N" "$EAB_B" "$EAB_S"; fi
echo "$(grep -c '^-- calls' "$WORK/workload.sql") SELECT statements in the workload file; $(psql -qAt -c "SELECT count(*) FROM bench_means WHERE variant = 'none'") statements in pg_stat_statements"
echo
echo "surge migration:"; sed 's/^/  /' "$WORK/surge.sql"
if [ -z "${SKIP_EAB:-}" ]; then echo "Index-EAB Extend:"; sed 's/^/  /' "$WORK/eab.sql"; fi
echo
echo "statements by DB time without indexes (mean ms per call under each advice):"
psql -q -c "SELECT max(calls) FILTER (WHERE variant = 'none') AS calls, max(query) AS query,
    max(mean_ms) FILTER (WHERE variant = 'none') AS none, max(mean_ms) FILTER (WHERE variant = 'app') AS app,
    max(mean_ms) FILTER (WHERE variant = 'naive') AS naive, max(mean_ms) FILTER (WHERE variant = 'surge') AS surge,
    max(mean_ms) FILTER (WHERE variant = 'eab') AS eab
  FROM bench_means GROUP BY queryid
  ORDER BY max(calls * mean_ms) FILTER (WHERE variant = 'none') DESC NULLS LAST LIMIT 25"
if [ -n "${KEEP_ADVICE:-}" ]; then cp "$WORK/advice.txt" "$KEEP_ADVICE"; fi
