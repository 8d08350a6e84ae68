#!/usr/bin/env bash
# Store throughput beside pgbench running the same SQL, in one run, on loopback.
#
#   Benchmarks/store-vs-pgbench.sh [products=100000] [seconds=10] [connections=16]
#
# Needs: wrk, pgbench (Debian: apt-get install wrk postgresql-15). Builds surge in release mode.
# Prints one table: requests/s through the store's HTTP API vs transactions/s of pgbench
# (-M prepared, same client count) for the same SELECT, and the store/pgbench ratio.
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
# SWIFT_SCRATCH_PATH lets a benchmark reuse a release build folder (it holds only build products).
BUILD=(swift build -c release ${SWIFT_SCRATCH_PATH:+--scratch-path "$SWIFT_SCRATCH_PATH"})
"${BUILD[@]}" --product surge >/dev/null
SURGE=$("${BUILD[@]}" --show-bin-path)/surge
export PATH="/usr/lib/postgresql/15/bin:$PATH"

cleanup() {
  [ -n "${SERVER_PID:-}" ] && kill -INT "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
  "$SURGE" db stop --data-dir "$WORK/pg" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

"$SURGE" db start --data-dir "$WORK/pg" >/dev/null
URL=$("$SURGE" db url --data-dir "$WORK/pg")
"$SURGE" seed --database-url "$URL" --products "$PRODUCTS" --quiet >/dev/null
"$SURGE" serve --database-url "$URL" --port $PORT --seed-products 0 --pool-size "$CONNS" >"$WORK/serve.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/health/ready" >/dev/null 2>&1 && break; sleep 0.2; done

# --- the same SELECTs for pgbench -------------------------------------------------------------
cat > "$WORK/detail.sql" <<SQL
\set id random(1, $PRODUCTS)
SELECT p.id, p.title, p.description, b.name, c.id, c.slug, c.name, p.price_minor, p.currency,
       p.popularity, p.created_at,
       coalesce((SELECT json_agg(json_build_object(
                    'id', v.id, 'sku', v.sku, 'options', v.options, 'price_minor', v.price_minor,
                    'currency', v.currency, 'available', s.on_hand - s.reserved) ORDER BY v.id)
                 FROM variants v JOIN stock s ON s.variant_id = v.id
                 WHERE v.product_id = p.id), '[]')::text
FROM products p JOIN brands b ON b.id = p.brand_id JOIN categories c ON c.id = p.category_id
WHERE p.id = :id;
SQL
# Category listing: a leaf category (ids 3..7 are the leaves of the first subtree), popular first.
cat > "$WORK/listing.sql" <<'SQL'
\set cat random(3, 6)
SELECT p.id, p.title, b.name AS brand, p.category_id, p.price_minor, p.currency::text, p.popularity, p.created_at,
       EXISTS (SELECT 1 FROM variants v JOIN stock s ON s.variant_id = v.id WHERE v.product_id = p.id AND s.on_hand > s.reserved) AS in_stock,
       p.popularity::bigint AS sort_key
FROM products p JOIN brands b ON b.id = p.brand_id
WHERE p.category_id = ANY(ARRAY[:cat]::bigint[])
ORDER BY p.popularity DESC, p.id DESC LIMIT 25;
SQL
cat > "$WORK/search.sql" <<'SQL'
\set w random(0, 3)
SELECT * FROM (
  SELECT p.id, p.title, b.name AS brand, p.category_id, p.price_minor, p.currency::text, p.popularity, p.created_at,
         EXISTS (SELECT 1 FROM variants v JOIN stock s ON s.variant_id = v.id WHERE v.product_id = p.id AND s.on_hand > s.reserved) AS in_stock,
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

run_wrk() { wrk -t1 -c"$CONNS" -d"${SECONDS_EACH}s" -s "$WORK/$1.lua" "http://127.0.0.1:$PORT" | awk '/Requests\/sec/ {print $2}'; }
run_pgbench() { pgbench -n -M prepared -c "$CONNS" -j 1 -T "$SECONDS_EACH" -f "$WORK/$1.sql" "$URL" 2>/dev/null | awk '/^tps/ {print $3}'; }

printf "%-16s %14s %14s %8s\n" "workload" "store req/s" "pgbench tps" "ratio"
for w in detail listing search; do
  store=$(run_wrk $w)
  pg=$(run_pgbench $w)
  printf "%-16s %14.0f %14.0f %7.2fx\n" "$w" "$store" "$pg" "$(echo "$store / $pg" | bc -l)"
done

if [ "${SEED_1M:-1}" = "1" ]; then
  psql -q "$URL" -c "CREATE DATABASE seed1m" >/dev/null
  SEED_URL="${URL%/*}/seed1m"
  start=$(date +%s.%N); "$SURGE" migrate --database-url "$SEED_URL" >/dev/null
  "$SURGE" seed --database-url "$SEED_URL" --products 1000000 --quiet >/dev/null; end=$(date +%s.%N)
  surge_s=$(echo "$end - $start" | bc -l)
  start=$(date +%s.%N); pgbench -i -q -s 10 "$URL" >/dev/null 2>&1; end=$(date +%s.%N)
  pg_s=$(echo "$end - $start" | bc -l)
  printf "%-16s %13.1fs %13.1fs %7.2fx\n" "seed 1M" "$surge_s" "$pg_s" "$(echo "$surge_s / $pg_s" | bc -l)"
fi
