#!/usr/bin/env bash
# Catalog pages/s and CPU per page with 1 and 2 store instances, with and without a streaming replica,
# through HAProxy, on `surge cluster up`'s topology (issue 22).
#
#   Benchmarks/scale-out.sh [products=20000] [seconds=10] [rounds=2]
#
# Each configuration is a fresh `surge cluster up` (primary, replicas, N `surge serve` processes,
# HAProxy on loopback) with the catalog cache off (CACHE_MB=0, the default here), so every page is a
# statement on a database: what a replica can take off the primary. wrk -t1 -c32 on random product ids
# through HAProxy; CPU from /proc (utime + stime) before and after each wrk run for the store processes,
# each PostgreSQL server (postmaster and its children), HAProxy and wrk, divided by the pages wrk got.
# Rounds alternate the configurations, so a noisy neighbour hits all of them. Loopback only; stops
# itself (trap). Needs: wrk, haproxy, PostgreSQL 15 (Debian: apt-get install wrk haproxy postgresql-15).
set -euo pipefail
cd "$(dirname "$0")/.."
PRODUCTS=${1:-20000}
SECS=${2:-10}
ROUNDS=${3:-2}
PORT=${PORT:-18290}
CONFIGS=${CONFIGS:-"1:0 2:0 2:1"}   # instances:replicas
export SURGE_CATALOG_CACHE_MB=${CACHE_MB:-0}
WORK=$(mktemp -d /tmp/surge-scale.XXXX)
chmod 755 "$WORK"
BUILD=(swift build -c release --scratch-path "${SWIFT_SCRATCH_PATH:-.build-release}")
"${BUILD[@]}" --product surge >/dev/null
SURGE=$("${BUILD[@]}" --show-bin-path)/surge
HZ=$(getconf CLK_TCK)
DIR=

cleanup() {
  [ -n "$DIR" ] && "$SURGE" cluster down --dir "$DIR" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

cat > "$WORK/detail.lua" <<LUA
math.randomseed(7)
request = function() return wrk.format("GET", "/v1/products/" .. math.random(1, $PRODUCTS)) end
LUA

ticks() { awk '{s += $14 + $15} END {print s + 0}' "$@" 2>/dev/null || echo 0; }
server_ticks() { # data directory: the postmaster and every child
  local pm s=0
  pm=$(head -1 "$1/postmaster.pid" 2>/dev/null || echo)
  [ -z "$pm" ] && { echo 0; return; }
  for p in "$pm" $(pgrep -P "$pm"); do s=$((s + $(ticks "/proc/$p/stat"))); done
  echo "$s"
}
store_ticks() { local s=0; for p in $(python3 -c 'import json,sys; print(" ".join(str(i["pid"]) for i in json.load(open(sys.argv[1]))))' "$DIR/cluster.state"); do s=$((s + $(ticks "/proc/$p/stat"))); done; echo "$s"; }
replica_ticks() { local s=0 d; for d in "$DIR"/replica-*; do [ -d "$d" ] && s=$((s + $(server_ticks "$d"))); done; echo "$s"; }

measure() { # instances replicas
  DIR="$WORK/cluster-$1-$2"
  if ! "$SURGE" cluster up --dir "$DIR" --instances "$1" --replicas "$2" --port "$PORT" --seed-products "$PRODUCTS" >"$WORK/up.log" 2>&1; then
    echo "surge cluster up failed ($1 instances, $2 replicas):" >&2; tail -5 "$WORK/up.log" >&2; return 1
  fi
  wrk -t1 -c32 -d3s -s "$WORK/detail.lua" "http://127.0.0.1:$PORT" >/dev/null   # warm-up (connections, shared buffers)
  local st0 p0 r0 h0 st1 p1 r1 h1 n hp
  hp=$(cat "$DIR/haproxy-pid.port")
  haproxy_ticks() { local s=0 p; for p in "$hp" $(pgrep -P "$hp"); do s=$((s + $(ticks "/proc/$p/stat"))); done; echo "$s"; }
  st0=$(store_ticks); p0=$(server_ticks "$DIR/primary"); r0=$(replica_ticks); h0=$(haproxy_ticks)
  /usr/bin/time -f "%U %S" -o "$WORK/wrk.time" wrk -t1 -c32 -d"${SECS}s" -s "$WORK/detail.lua" "http://127.0.0.1:$PORT" >"$WORK/wrk.txt"
  st1=$(store_ticks); p1=$(server_ticks "$DIR/primary"); r1=$(replica_ticks); h1=$(haproxy_ticks)
  n=$(awk '/ requests in /{print $1}' "$WORK/wrk.txt")
  local non2xx; non2xx=$(awk '/Non-2xx/{print $NF}' "$WORK/wrk.txt"); non2xx=${non2xx:-0}
  "$SURGE" cluster down --dir "$DIR" >/dev/null 2>&1 || true
  rm -rf "$DIR"; DIR=
  read -r wu ws < "$WORK/wrk.time"
  awk -v label="$1 instance(s), $2 replica(s)" -v n="$n" -v bad="$non2xx" -v secs="$SECS" -v hz="$HZ" -v st=$((st1 - st0)) -v p=$((p1 - p0)) \
      -v r=$((r1 - r0)) -v h=$((h1 - h0)) -v wu="$wu" -v ws="$ws" 'BEGIN {
    us = 1e6 / hz / n
    printf "%-26s %9.0f %7d %9.0f %9.0f %9.0f %9.0f %7.0f %9.0f\n", label, (n - bad) / secs, bad, st * us, p * us, r * us, h * us, (wu + ws) * 1e6 / n,
      (st + p + r + h) * us + (wu + ws) * 1e6 / n }'
}

echo "products $PRODUCTS, catalog cache ${SURGE_CATALOG_CACHE_MB} MB, wrk -t1 -c32 ${SECS}s through HAProxy, $(nproc) CPUs, load average $(cut -d' ' -f1 /proc/loadavg) at start"
printf "%-26s %9s %7s %9s %9s %9s %9s %7s %9s\n" "configuration" "pages/s" "non-2xx" "store" "primary" "replica" "haproxy" "wrk" "total"
printf "%-26s %9s %7s %9s %9s %9s %9s %7s %9s\n" "" "(200 OK)" "" "(µs of CPU per request)" "" "" "" "" ""
for round in $(seq 1 "$ROUNDS"); do
  for config in $CONFIGS; do measure "${config%%:*}" "${config##*:}"; done
done
echo "load average $(cut -d' ' -f1 /proc/loadavg) at end"
