#!/usr/bin/env bash
# Store throughput beside pgbench running the same SQL, in one run, on loopback.
#
#   Benchmarks/store-vs-pgbench.sh [products=100000] [seconds=10] [connections=16]
#
# Needs: wrk, pgbench (Debian: apt-get install wrk postgresql-15). Builds surge in release mode.
# Prints one table: successful (2xx) requests/s through the store's HTTP API vs transactions/s of
# pgbench (-M prepared, same client count) for the same SELECT, the store/pgbench ratio per row,
# and how many store answers were not 2xx (shed with 503 by admission control, for example).
# These stores run on the same database (all with pipelined product reads unless said otherwise):
#   naive    (`--profile naive`, pool = client count): no catalog cache, no admission control
#   no cache (the default profile with `--catalog-cache-mb 0`): admission control, the default pool
#            ((cores x 2) + 1), bounded pool waits, deadlines, but every page read from PostgreSQL
#   guarded  (the default profile): the above with the catalog cache
#   pool only (naive with `--no-pipelined-reads`): product pages read through PostgresNIO's pool, as
#            before session 7, for the gain of the pipelined connections (POOL_ROW=0 skips it)
#   router   (naive with `--no-fast-product-pages --no-pipelined-reads`): product pages through
#            Hummingbird's router, as before session 6 (ROUTER_ROW=1 adds it)
# Then times seeding 1,000,000 products beside `pgbench -i` loading 1,000,000 accounts
# (skip with SEED_1M=0).
set -euo pipefail
cd "$(dirname "$0")/.."
PRODUCTS=${1:-100000}
SECONDS_EACH=${2:-10}
CONNS=${3:-16}
WORK=$(mktemp -d /tmp/surge-bench.XXXX)
chmod 755 "$WORK"
PORT=18181
NAIVE_PORT=18182
ALSO_PORT=18183
NOCACHE_PORT=18184
ROUTER_PORT=18185
POOLONLY_PORT=18186
ROUTER_ROW=${ROUTER_ROW:-0}
POOL_ROW=${POOL_ROW:-1}
# ALSO_POOL=N adds a third store, naive with a pool of N connections, for an A/B of pool sizes in one run.
ALSO_POOL=${ALSO_POOL:-}
# SWIFT_SCRATCH_PATH lets a benchmark reuse a release build folder (it holds only build products).
BUILD=(swift build -c release ${SWIFT_SCRATCH_PATH:+--scratch-path "$SWIFT_SCRATCH_PATH"})
"${BUILD[@]}" --product surge >/dev/null
SURGE=$("${BUILD[@]}" --show-bin-path)/surge
export PATH="/usr/lib/postgresql/15/bin:$PATH"

cleanup() {
  [ -n "${SERVER_PID:-}" ] && kill -INT "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
  [ -n "${NAIVE_PID:-}" ] && kill -INT "$NAIVE_PID" 2>/dev/null && wait "$NAIVE_PID" 2>/dev/null || true
  [ -n "${ALSO_PID:-}" ] && kill -INT "$ALSO_PID" 2>/dev/null && wait "$ALSO_PID" 2>/dev/null || true
  [ -n "${ROUTER_PID:-}" ] && kill -INT "$ROUTER_PID" 2>/dev/null && wait "$ROUTER_PID" 2>/dev/null || true
  [ -n "${POOLONLY_PID:-}" ] && kill -INT "$POOLONLY_PID" 2>/dev/null && wait "$POOLONLY_PID" 2>/dev/null || true
  [ -n "${NOCACHE_PID:-}" ] && kill -INT "$NOCACHE_PID" 2>/dev/null && wait "$NOCACHE_PID" 2>/dev/null || true
  "$SURGE" db stop --data-dir "$WORK/pg" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

"$SURGE" db start --data-dir "$WORK/pg" >/dev/null
URL=$("$SURGE" db url --data-dir "$WORK/pg")
"$SURGE" seed --database-url "$URL" --products "$PRODUCTS" --quiet >/dev/null
"$SURGE" serve --database-url "$URL" --port $PORT --seed-products 0 --pool-size "$CONNS" >"$WORK/serve.log" 2>&1 &
SERVER_PID=$!
"$SURGE" serve --database-url "$URL" --port $NAIVE_PORT --seed-products 0 --pool-size "$CONNS" --profile naive >"$WORK/serve-naive.log" 2>&1 &
NAIVE_PID=$!
"$SURGE" serve --database-url "$URL" --port $NOCACHE_PORT --seed-products 0 --catalog-cache-mb 0 >"$WORK/serve-nocache.log" 2>&1 &
NOCACHE_PID=$!
PORTS="$PORT $NAIVE_PORT $NOCACHE_PORT"
if [ "$ROUTER_ROW" = "1" ]; then
  "$SURGE" serve --database-url "$URL" --port $ROUTER_PORT --seed-products 0 --pool-size "$CONNS" --profile naive --no-fast-product-pages --no-pipelined-reads >"$WORK/serve-router.log" 2>&1 &
  ROUTER_PID=$!
  PORTS="$PORTS $ROUTER_PORT"
fi
if [ "$POOL_ROW" = "1" ]; then
  "$SURGE" serve --database-url "$URL" --port $POOLONLY_PORT --seed-products 0 --pool-size "$CONNS" --profile naive --no-pipelined-reads >"$WORK/serve-poolonly.log" 2>&1 &
  POOLONLY_PID=$!
  PORTS="$PORTS $POOLONLY_PORT"
fi
if [ -n "$ALSO_POOL" ]; then
  "$SURGE" serve --database-url "$URL" --port $ALSO_PORT --seed-products 0 --pool-size "$ALSO_POOL" --profile naive >"$WORK/serve-also.log" 2>&1 &
  ALSO_PID=$!
  PORTS="$PORTS $ALSO_PORT"
fi
for port in $PORTS; do
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1 && break; sleep 0.2; done
done

# --- the same SELECTs for pgbench -------------------------------------------------------------
# The store's own statement (Sources/Storefront/Catalog/ProductDetailStatement.swift): PostgreSQL
# builds the whole response body, which the store passes through.
# The SQL is read from the Swift source, so pgbench runs exactly what the store runs.
{
  echo "\\set id random(1, $PRODUCTS)"
  awk '/static let sql = """/ {on = 1; next} on && /^ *"""/ {exit} on' Sources/Storefront/Catalog/ProductDetailStatement.swift \
    | sed -e 's/^        //' -e 's/\$1/:id/'
  echo ";"
} > "$WORK/detail.sql"
grep -q 'WHERE p.id = :id' "$WORK/detail.sql" || { echo "could not read the detail SQL from ProductDetailStatement.swift" >&2; exit 1; }
# Category listing: a leaf category (ids 3..7 are the leaves of the first subtree), popular first.
cat > "$WORK/listing.sql" <<'SQL'
\set cat random(3, 6)
SELECT p.id, p.title, b.name AS brand, p.category_id, p.price_minor, p.currency::text, p.popularity, p.created_at,
       ((SELECT true FROM variants v JOIN stock s ON s.variant_id = v.id WHERE v.product_id = p.id AND s.on_hand > s.reserved LIMIT 1) IS NOT NULL) AS in_stock,
       p.popularity::bigint AS sort_key
FROM products p JOIN brands b ON b.id = p.brand_id
WHERE p.category_id = :cat
ORDER BY p.popularity DESC, p.id DESC LIMIT 25;
SQL
cat > "$WORK/search.sql" <<'SQL'
\set w random(0, 3)
SELECT * FROM (
  SELECT p.id, p.title, b.name AS brand, p.category_id, p.price_minor, p.currency::text, p.popularity, p.created_at,
         ((SELECT true FROM variants v JOIN stock s ON s.variant_id = v.id WHERE v.product_id = p.id AND s.on_hand > s.reserved LIMIT 1) IS NOT NULL) AS in_stock,
         (ts_rank(p.search, to_tsquery('english', (ARRAY['wireless:*','kettle:*','bamboo & lamp:*','smart & watch:*'])[:w + 1])) * 1000000)::bigint AS sort_key
  FROM products p JOIN brands b ON b.id = p.brand_id
  WHERE p.search @@ to_tsquery('english', (ARRAY['wireless:*','kettle:*','bamboo & lamp:*','smart & watch:*'])[:w + 1])
) s ORDER BY s.sort_key DESC, s.id DESC LIMIT 25;
SQL

# --- the same requests for wrk ----------------------------------------------------------------
cat > "$WORK/detail.lua" <<LUA
math.randomseed(7)
request = function() return wrk.format("GET", "/v1/products/" .. math.random(1, $PRODUCTS)) end
LUA
cat > "$WORK/listing.lua" <<'LUA'
math.randomseed(7)
request = function() return wrk.format("GET", "/v1/products?category=" .. math.random(3, 6) .. "&limit=24") end
LUA
cat > "$WORK/search.lua" <<'LUA'
math.randomseed(7)
local q = {"wireless", "kettle", "bamboo+lamp", "smart+watch"}
request = function() return wrk.format("GET", "/v1/products?q=" .. q[math.random(1, 4)] .. "&limit=24") end
LUA

# "<2xx per second> <non-2xx count>": wrk's Requests/sec counts every answer, a 503 included.
run_wrk() {
  wrk -t1 -c"$CONNS" -d"${SECONDS_EACH}s" -s "$WORK/$2.lua" "http://127.0.0.1:$1" | awk '
    / requests in / { total = $1; secs = $4; sub(/s,?$/, "", secs) }
    /Non-2xx or 3xx responses:/ { bad = $5 }
    END { printf "%.1f %d\n", (total - bad) / secs, bad }'
}
run_pgbench() { pgbench -n -M prepared -c "$CONNS" -j 1 -T "$SECONDS_EACH" -f "$WORK/$1.sql" "$URL" 2>/dev/null | awk '/^tps/ {print $3}'; }

printf "%-27s %12s %12s %8s %9s\n" "workload" "store 2xx/s" "pgbench tps" "ratio" "store !2xx"
row() { # label port workload
  read -r store bad < <(run_wrk "$2" "$3")
  pg=$(run_pgbench "$3")
  printf "%-27s %12.0f %12.0f %7.2fx %9d\n" "$1" "$store" "$pg" "$(echo "$store / $pg" | bc -l)" "$bad"
}
row "detail, no cache (naive)" $NAIVE_PORT detail
[ "$POOL_ROW" != "1" ] || row "detail, naive, pool only" $POOLONLY_PORT detail
[ "$ROUTER_ROW" != "1" ] || row "detail, naive, via router" $ROUTER_PORT detail
row "detail, no cache (guarded)" $NOCACHE_PORT detail
[ -z "$ALSO_POOL" ] || row "detail, naive, pool $ALSO_POOL" $ALSO_PORT detail
row "detail (guarded, cache)" $PORT detail
row "listing (guarded)" $PORT listing
row "search (guarded)" $PORT search

if [ "${SEED_1M:-1}" = "1" ]; then
  psql -q "$URL" -c "CREATE DATABASE seed1m" >/dev/null
  SEED_URL="${URL%/*}/seed1m"
  start=$(date +%s.%N); "$SURGE" migrate --database-url "$SEED_URL" >/dev/null
  "$SURGE" seed --database-url "$SEED_URL" --products 1000000 --quiet >/dev/null; end=$(date +%s.%N)
  surge_s=$(echo "$end - $start" | bc -l)
  start=$(date +%s.%N); pgbench -i -q -s 10 "$URL" >/dev/null 2>&1; end=$(date +%s.%N)
  pg_s=$(echo "$end - $start" | bc -l)
  printf "%-27s %11.1fs %11.1fs %7.2fx\n" "seed 1M (s, lower wins)" "$surge_s" "$pg_s" "$(echo "$surge_s / $pg_s" | bc -l)"
fi
