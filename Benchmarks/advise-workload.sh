#!/usr/bin/env bash
# surge advise, end to end on the store's schema with its secondary indexes dropped:
#  1. a fixed mixed workload (pgbench, custom scripts mirroring the store's queries) → total DB time;
#  2. surge advise from pg_stat_statements → migration; apply it;
#  3. the same workload again → total DB time (target: ≤ 0.1× of before);
#  4. time to advise a 200-statement workload file (target: < 30 s).
# Usage: Benchmarks/advise-workload.sh [transactions-per-client]   (release build, loopback, bounded)
set -euo pipefail
cd "$(dirname "$0")/.."
TX=${1:-300}
CLIENTS=2
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
SURGE=${SURGE_BIN:-.build/release/surge}  # SURGE_BIN=.build/debug/surge to skip the release build
[ -x "$SURGE" ] || swift build -c release --product surge >/dev/null
WORK=$(mktemp -d /tmp/surge-advise-bench.XXXXXX)
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
export PGHOST=127.0.0.1 PGPORT=$PORT PGUSER=postgres PGDATABASE=store
URL="postgres://postgres@127.0.0.1:$PORT/store"
psql -q -d postgres -c "CREATE DATABASE store"
psql -q -v ON_ERROR_STOP=1 -f Sources/Database/Migrations/0001_catalog.sql >/dev/null
psql -q -v ON_ERROR_STOP=1 <<'SQL'
CREATE EXTENSION pg_stat_statements;
CREATE EXTENSION hypopg;
INSERT INTO categories (id, parent_id, slug, name, depth) SELECT g, NULL, 'c' || g, 'Category ' || g, 0 FROM generate_series(1, 200) g;
INSERT INTO brands (id, name) SELECT g, 'Brand ' || g FROM generate_series(1, 100) g;
INSERT INTO products (id, category_id, brand_id, title, description, price_minor, currency, popularity, created_at)
SELECT g, 1 + g % 200, 1 + g % 100,
       (ARRAY['blue','red','green','black','white'])[1 + g % 5] || ' ' || (ARRAY['shirt','shoe','lamp','mug','desk','chair'])[1 + g % 6] || ' ' || g,
       'A fine product number ' || g, (g::bigint * 7919) % 100000, 'EUR', (g::bigint * 104729) % 50000, now() - (g % 1000) * interval '1 hour'
FROM generate_series(1, 50000) g;
INSERT INTO variants (id, product_id, sku, price_minor, currency) SELECT g, 1 + (g - 1) / 2, 'SKU-' || g, (g::bigint * 7919) % 100000, 'EUR' FROM generate_series(1, 100000) g;
INSERT INTO stock (variant_id, on_hand, reserved) SELECT g, 100, 0 FROM generate_series(1, 100000) g;
INSERT INTO stock_movements (variant_id, on_hand_delta, reserved_delta, reason) SELECT 1 + g % 100000, 1, 0, 'seed' FROM generate_series(1, 200000) g;
INSERT INTO carts (id, token, currency, status) SELECT md5('cart' || g)::uuid, 't' || g, 'EUR', 'open' FROM generate_series(1, 20000) g;
INSERT INTO cart_lines (cart_id, variant_id, quantity) SELECT md5('cart' || (1 + g % 20000))::uuid, 1 + g * 3, 1 FROM generate_series(1, 30000) g;
INSERT INTO holds (id, cart_id, status, expires_at)
SELECT md5('hold' || g)::uuid, md5('cart' || (1 + g % 20000))::uuid,
       CASE WHEN g % 50 = 0 THEN 'active' WHEN g % 3 = 0 THEN 'released' ELSE 'converted' END, now() + (g % 100 - 50) * interval '1 minute'
FROM generate_series(1, 40000) g;
DO $$ DECLARE r record; BEGIN
  FOR r IN SELECT indexrelid::regclass AS name FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
           WHERE t.relnamespace = 'public'::regnamespace AND NOT i.indisunique AND NOT i.indisprimary LOOP
    EXECUTE 'DROP INDEX ' || r.name;
  END LOOP;
END $$;
VACUUM ANALYZE;
SQL

S="$WORK/scripts"; mkdir -p "$S"
cat > "$S/list_price.sql" <<'SQL'
\set cat random(1, 200)
\set price random(0, 99999)
\set id random(1, 50000)
SELECT id, title, price_minor, currency, popularity FROM products WHERE category_id = :cat AND (price_minor, id) > (:price, :id) ORDER BY price_minor, id LIMIT 24;
SQL
cat > "$S/list_popular.sql" <<'SQL'
\set cat random(1, 200)
SELECT id, title, price_minor, currency, popularity FROM products WHERE category_id = :cat ORDER BY popularity DESC, id DESC LIMIT 24;
SQL
cat > "$S/newest.sql" <<'SQL'
SELECT id, title, price_minor, currency, popularity FROM products ORDER BY created_at DESC, id DESC LIMIT 24;
SQL
cat > "$S/detail.sql" <<'SQL'
\set p random(1, 50000)
SELECT id, category_id, brand_id, title, description, price_minor, currency, popularity FROM products WHERE id = :p;
SELECT v.id, v.sku, v.options, v.price_minor, s.on_hand - s.reserved AS available FROM variants v JOIN stock s ON s.variant_id = v.id WHERE v.product_id = :p ORDER BY v.id;
SQL
cat > "$S/search.sql" <<'SQL'
SELECT id, title, price_minor FROM products WHERE search @@ websearch_to_tsquery('english', 'blue lamp') ORDER BY ts_rank(search, websearch_to_tsquery('english', 'blue lamp')) DESC LIMIT 24;
SQL
cat > "$S/cart.sql" <<'SQL'
\set c random(1, 20000)
SELECT cl.variant_id, cl.quantity, v.sku, v.price_minor FROM cart_lines cl JOIN variants v ON v.id = cl.variant_id WHERE cl.cart_id = md5('cart' || :c)::uuid ORDER BY cl.id;
SQL
cat > "$S/sweeper.sql" <<'SQL'
SELECT id, cart_id FROM holds WHERE status = 'active' AND expires_at < now() ORDER BY expires_at LIMIT 100;
SQL
cat > "$S/ledger.sql" <<'SQL'
\set v random(1, 100000)
SELECT on_hand_delta, reserved_delta, reason, created_at FROM stock_movements WHERE variant_id = :v ORDER BY id;
SQL

workload() {
  psql -qAt -c "SELECT pg_stat_statements_reset()" >/dev/null
  pgbench -n -M prepared -c $CLIENTS -t "$TX" \
    -f "$S/list_price.sql@25" -f "$S/list_popular.sql@25" -f "$S/newest.sql@5" -f "$S/detail.sql@20" \
    -f "$S/search.sql@5" -f "$S/cart.sql@10" -f "$S/sweeper.sql@5" -f "$S/ledger.sql@5" >/dev/null
  psql -qAt -c "SELECT round(sum(total_exec_time)::numeric, 1) FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = 'store') AND query !~* 'pg_stat_statements'"
}

BEFORE=$(workload)
T0=$(date +%s.%N)
"$SURGE" advise --database-url "$URL" --output "$WORK/migration.sql" > "$WORK/advice.txt"
T1=$(date +%s.%N)
ADVISE_S=$(echo "$T1 - $T0" | bc)
psql -q -v ON_ERROR_STOP=1 -f "$WORK/migration.sql" >/dev/null 2>"$WORK/apply.err" || { cat "$WORK/apply.err"; exit 1; }
NEW_INDEXES=$(grep -c '^CREATE INDEX' "$WORK/migration.sql" || true)
AFTER=$(workload)

# A 200-statement workload: distinct shapes over the catalog's tables.
W="$WORK/w200.sql"; : > "$W"; n=0
for eq in category_id brand_id currency popularity price_minor; do
  for ord in price_minor created_at popularity id title updated_at; do
    for dir in "" " DESC"; do
      for lim in 10 50 100; do
        [ $n -ge 156 ] && break 4
        echo "SELECT id, title FROM products WHERE $eq = \$1 ORDER BY $ord$dir LIMIT $lim;" >> "$W"; n=$((n+1))
      done
    done
  done
done
for col in product_id price_minor currency sku; do
  for extra in "" " AND price_minor > \$2" " AND currency = 'EUR'" " ORDER BY id" " ORDER BY price_minor DESC"; do
    echo "SELECT id FROM variants WHERE $col = \$1$extra;" >> "$W"; n=$((n+1))
  done
done
for col in variant_id reason created_at reference; do
  for extra in "" " ORDER BY id" " ORDER BY created_at DESC LIMIT 5"; do
    echo "SELECT id FROM stock_movements WHERE $col = \$1$extra;" >> "$W"; n=$((n+1))
  done
done
for s in active released converted expired; do
  for extra in "" " AND expires_at < now()" " ORDER BY created_at"; do
    echo "SELECT id FROM holds WHERE status = '$s'$extra;" >> "$W"; n=$((n+1))
  done
done
STATEMENTS=$(grep -c . "$W")
T0=$(date +%s.%N)
"$SURGE" advise --database-url "$URL" --workload "$W" > "$WORK/advice200.txt"
T1=$(date +%s.%N)
ADVISE200_S=$(echo "$T1 - $T0" | bc)

RATIO=$(echo "scale=3; $AFTER / $BEFORE" | bc)
printf '\nsurge advise: store schema without secondary indexes, %s clients x %s transactions (pgbench -M prepared)\n\n' $CLIENTS "$TX"
printf '%-52s %14s %10s\n' "measure" "value" "target"
printf '%-52s %14s %10s\n' "total DB time before advice (ms)" "$BEFORE" ""
printf '%-52s %14s %10s\n' "total DB time after applying advice (ms)" "$AFTER" ""
printf '%-52s %14s %10s\n' "after / before" "${RATIO}x" "<= 0.1x"
printf '%-52s %14s %10s\n' "indexes created by the migration" "$NEW_INDEXES" ""
printf '%-52s %14s %10s\n' "advise from pg_stat_statements (s)" "$ADVISE_S" ""
printf '%-52s %14s %10s\n' "advise a $STATEMENTS-statement workload file (s)" "$ADVISE200_S" "< 30"
echo
echo "migration applied:"
grep -E '^(CREATE|DROP)' "$WORK/migration.sql" | sed 's/^/  /'
