#!/usr/bin/env bash
# surge advise on a workload it was not built with (issue #20): a members/articles schema, four hot
# statements driven through protocol-level prepared statements (pgbench -M prepared), measured as
# real DB time (pg_stat_statements total_exec_time of the same fixed run) side by side for:
#   none   — primary keys only;
#   naive  — one single-column B-tree on every filtered or sorted column;
#   surge  — `surge advise` from pg_stat_statements, its migration applied.
# Usage: Benchmarks/advise-unseen.sh [transactions-per-client]
#   SURGE_BIN=.build/debug/surge to use a debug build (advise time is then not representative).
set -euo pipefail
cd "$(dirname "$0")/.."
TX=${1:-400}
CLIENTS=2
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
export PATH="$PGBIN:$PATH"
SURGE=${SURGE_BIN:-.build/release/surge}
[ -x "$SURGE" ] || swift build -c release --product surge >/dev/null
WORK=$(mktemp -d /tmp/surge-advise-unseen.XXXXXX)
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
CONF
(cd /tmp && "${RUN[@]}" "$PGBIN/pg_ctl" -D "$WORK/data" -l "$WORK/pg.log" -w start >/dev/null)
export PGHOST=127.0.0.1 PGPORT=$PORT PGUSER=postgres PGDATABASE=unseen
URL="postgres://postgres@127.0.0.1:$PORT/unseen"
psql -q -d postgres -c "CREATE DATABASE unseen"
psql -q -v ON_ERROR_STOP=1 <<'SQL'
CREATE EXTENSION pg_stat_statements;
CREATE EXTENSION hypopg;
CREATE TABLE members (id bigint PRIMARY KEY, account_id integer NOT NULL, email text NOT NULL,
    deleted_at timestamptz, created_at timestamptz NOT NULL);
INSERT INTO members SELECT g, g % 5000, 'Member' || g || '@example.com',
    CASE WHEN g % 10 = 0 THEN now() END, now() - g * interval '1 minute'
FROM generate_series(1, 300000) g;
CREATE TABLE articles (id bigint PRIMARY KEY, title text NOT NULL, lang text NOT NULL, published boolean NOT NULL,
    rank integer NOT NULL, published_at timestamptz NOT NULL, body text NOT NULL);
INSERT INTO articles SELECT g, 'Article ' || md5(g::text), (ARRAY['en','de','fr','es'])[1 + g % 4], g % 5 <> 0,
    g % 100, now() - g * interval '1 minute', repeat('x', 200)
FROM generate_series(1, 200000) g;
VACUUM ANALYZE;
SQL

S="$WORK/scripts"; mkdir -p "$S"
cat > "$S/by_email.sql" <<'SQL'
\set m random(1, 300000)
SELECT id, account_id FROM members WHERE lower(email) = lower('Member' || :m || '@example.com');
SQL
cat > "$S/account_page.sql" <<'SQL'
\set a random(0, 4999)
SELECT id, email, created_at FROM members WHERE account_id = :a AND deleted_at IS NULL ORDER BY created_at LIMIT 20;
SQL
cat > "$S/newest.sql" <<'SQL'
SELECT id, title FROM articles ORDER BY published_at DESC LIMIT 10;
SQL
cat > "$S/ranked_page.sql" <<'SQL'
\set o random(0, 4)
SELECT id, title FROM articles WHERE published = true AND lang = 'de' ORDER BY rank DESC, published_at DESC, id LIMIT 20 OFFSET :o * 20;
SQL

workload() {
  psql -qAt -c "SELECT pg_stat_statements_reset()" >/dev/null
  pgbench -n -M prepared -c $CLIENTS -t "$TX" \
    -f "$S/by_email.sql@30" -f "$S/account_page.sql@40" -f "$S/newest.sql@10" -f "$S/ranked_page.sql@20" >/dev/null
  psql -qAt -c "SELECT round(sum(total_exec_time)::numeric, 1) FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = 'unseen') AND query ~* '^select' AND query !~* 'pg_stat_statements'"
}
secondary_bytes() { psql -qAt -c "SELECT coalesce(sum(pg_relation_size(indexrelid)), 0) FROM pg_index WHERE NOT indisprimary AND indrelid IN ('members'::regclass, 'articles'::regclass)"; }
secondary_count() { psql -qAt -c "SELECT count(*) FROM pg_index WHERE NOT indisprimary AND indrelid IN ('members'::regclass, 'articles'::regclass)"; }
drop_secondary() {
  psql -qAt -c "SELECT indexrelid::regclass FROM pg_index WHERE NOT indisprimary AND indrelid IN ('members'::regclass, 'articles'::regclass)" |
    while read -r idx; do psql -q -c "DROP INDEX $idx"; done
}

NONE=$(workload)

# naive: every filtered or sorted column, one B-tree each (what the issue calls single-column advice)
psql -q <<'SQL'
CREATE INDEX ON members (email); CREATE INDEX ON members (account_id); CREATE INDEX ON members (deleted_at); CREATE INDEX ON members (created_at);
CREATE INDEX ON articles (published); CREATE INDEX ON articles (lang); CREATE INDEX ON articles (rank); CREATE INDEX ON articles (published_at);
ANALYZE;
SQL
NAIVE_N=$(secondary_count); NAIVE_B=$(secondary_bytes)
NAIVE=$(workload)
drop_secondary

# surge advise from the no-index run's statistics
workload >/dev/null
T0=$(date +%s.%N)
"$SURGE" advise --database-url "$URL" --output "$WORK/migration.sql" > "$WORK/advice.txt"
T1=$(date +%s.%N)
ADVISE_S=$(echo "$T1 - $T0" | bc)
psql -q -v ON_ERROR_STOP=1 -f "$WORK/migration.sql" >/dev/null 2>"$WORK/apply.err" || { cat "$WORK/apply.err"; exit 1; }
psql -q -c "ANALYZE"
SURGE_N=$(secondary_count); SURGE_B=$(secondary_bytes)
SURGED=$(workload)

printf '\nsurge advise on an unseen workload: 4 hot statements, %s clients x %s transactions (pgbench -M prepared)\n\n' $CLIENTS "$TX"
printf '%-8s %16s %10s %8s %12s %10s\n' "advice" "DB time (ms)" "÷ none" "indexes" "index bytes" "advise s"
printf '%-8s %16s %10s %8s %12s %10s\n' "none" "$NONE" "1.000" 0 0 ""
printf '%-8s %16s %10s %8s %12s %10s\n' "naive" "$NAIVE" "$(echo "scale=4; $NAIVE / $NONE" | bc)" "$NAIVE_N" "$NAIVE_B" ""
printf '%-8s %16s %10s %8s %12s %10s\n' "surge" "$SURGED" "$(echo "scale=4; $SURGED / $NONE" | bc)" "$SURGE_N" "$SURGE_B" "$ADVISE_S"
echo
echo "surge migration:"
grep -E '^(CREATE|DROP)' "$WORK/migration.sql" | sed 's/^/  /'
