#!/usr/bin/env bash
# CPU per product page, split by process: the store, PostgreSQL (every backend) and wrk, for two
# store configurations in alternating rounds on one database.
#
#   Benchmarks/cpu-per-page.sh [products=20000] [seconds=8] [rounds=2] [A flags] [B flags]
#
# Defaults compare the pipelined product read with the pool (`--no-pipelined-reads`), both naive
# stores with a pool of 16, wrk -t1 -c16 on random ids. CPU comes from /proc (utime + stime ticks)
# before and after each wrk run, divided by the requests wrk completed. Loopback only; stops itself.
# Needs: wrk, PostgreSQL 15 binaries (Debian: apt-get install wrk postgresql-15). Builds surge in
# release mode (SWIFT_SCRATCH_PATH reuses a build folder).
set -euo pipefail
cd "$(dirname "$0")/.."
PRODUCTS=${1:-20000}
SECS=${2:-8}
ROUNDS=${3:-2}
A_FLAGS=${4:-}
B_FLAGS=${5:---no-pipelined-reads}
WORK=$(mktemp -d /tmp/surge-cpu.XXXX)
chmod 755 "$WORK"
BUILD=(swift build -c release ${SWIFT_SCRATCH_PATH:+--scratch-path "$SWIFT_SCRATCH_PATH"})
"${BUILD[@]}" --product surge >/dev/null
SURGE=$("${BUILD[@]}" --show-bin-path)/surge
export PATH="/usr/lib/postgresql/15/bin:$PATH"
HZ=$(getconf CLK_TCK)

cleanup() {
  [ -n "${PID:-}" ] && kill -INT "$PID" 2>/dev/null && wait "$PID" 2>/dev/null || true
  "$SURGE" db stop --data-dir "$WORK/pg" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

"$SURGE" db start --data-dir "$WORK/pg" >/dev/null
URL=$("$SURGE" db url --data-dir "$WORK/pg")
"$SURGE" seed --database-url "$URL" --products "$PRODUCTS" --quiet >/dev/null
cat > "$WORK/detail.lua" <<LUA
math.randomseed(7)
request = function() return wrk.format("GET", "/v1/products/" .. math.random(1, $PRODUCTS)) end
LUA

ticks() { awk '{s += $14 + $15} END {print s + 0}' "$@" 2>/dev/null || echo 0; }
postgres_ticks() { local s=0 t; for p in $(pgrep -x postgres); do t=$(ticks "/proc/$p/stat"); s=$((s + t)); done; echo "$s"; }

measure() { # label flags
  # shellcheck disable=SC2086
  "$SURGE" serve --database-url "$URL" --port 18199 --seed-products 0 --profile naive --pool-size 16 $2 >"$WORK/serve.log" 2>&1 &
  PID=$!
  for _ in $(seq 1 200); do curl -fs http://127.0.0.1:18199/health/ready >/dev/null 2>&1 && break; sleep 0.2; done
  wrk -t1 -c16 -d2s -s "$WORK/detail.lua" http://127.0.0.1:18199 >/dev/null  # warm-up
  local s0 g0 s1 g1 n
  s0=$(ticks "/proc/$PID/stat"); g0=$(postgres_ticks)
  /usr/bin/time -f "%U %S" -o "$WORK/wrk.time" wrk -t1 -c16 -d"${SECS}s" -s "$WORK/detail.lua" http://127.0.0.1:18199 >"$WORK/wrk.txt"
  s1=$(ticks "/proc/$PID/stat"); g1=$(postgres_ticks)
  kill -INT "$PID"; wait "$PID" 2>/dev/null || true; PID=
  n=$(awk '/ requests in /{print $1}' "$WORK/wrk.txt")
  read -r wu ws < "$WORK/wrk.time"
  awk -v label="$1" -v n="$n" -v secs="$SECS" -v hz="$HZ" -v s=$((s1 - s0)) -v g=$((g1 - g0)) -v wu="$wu" -v ws="$ws" 'BEGIN {
    wrk = wu + ws
    printf "%-28s %9.0f %9.0f %11.0f %7.0f\n", label, n / secs, s * 1e6 / hz / n, g * 1e6 / hz / n, wrk * 1e6 / n }'
}

printf "%-28s %9s %9s %11s %7s\n" "store (µs of CPU per page)" "pages/s" "store" "PostgreSQL" "wrk"
for round in $(seq 1 "$ROUNDS"); do
  measure "A ${A_FLAGS:-(defaults)}" "$A_FLAGS"
  measure "B ${B_FLAGS:-(defaults)}" "$B_FLAGS"
done
