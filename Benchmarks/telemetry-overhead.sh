#!/usr/bin/env bash
# Product-detail throughput with the telemetry on vs off, side by side in one run: two identical
# stores (release build, loopback, one private PostgreSQL, same pool size), driven by wrk in
# alternating order so a drift in machine load favours neither. Also prints the telemetry's own
# per-request cost measured in-process.
# Usage: Benchmarks/telemetry-overhead.sh [seconds per run, default 5] [rounds, default 6] [connections, default 16]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-5}; rounds=${2:-6}; connections=${3:-16}
for n in "$seconds" "$rounds" "$connections"; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "arguments must be positive integers: [seconds] [rounds] [connections], e.g. 5 6 16" >&2; exit 2; }
done
command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install -y wrk" >&2; exit 2; }
export PATH="/usr/lib/postgresql/15/bin:$PATH"
# SWIFT_SCRATCH_PATH: reuse another build directory (a release build of this package is ~15 min on 2 cores).
build=(swift build -c release ${SWIFT_SCRATCH_PATH:+--scratch-path "$SWIFT_SCRATCH_PATH"})
"${build[@]}" --product TelemetryOverhead >&2
bin="$("${build[@]}" --show-bin-path)/TelemetryOverhead"

work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
serve=$(( rounds * 2 * seconds + 90 ))
"$bin" "$work/ports" "$serve" > "$work/store.out" 2> "$work/store.err" &
pid=$!
for _ in $(seq 1 120); do [ -s "$work/ports" ] && break; sleep 1; done
[ -s "$work/ports" ] || { echo "the stores did not start:" >&2; cat "$work/store.err" >&2; exit 1; }
read -r plain instrumented < "$work/ports"
cat "$work/store.out"

cat > "$work/product.lua" <<'LUA'
request = function() return wrk.format("GET", "/products/" .. math.random(1, 10000)) end
LUA
rate() { # port seconds -> requests per second; fails on any non-2xx answer
  local out; out=$(wrk -t2 -c"$connections" -d"$2"s -s "$work/product.lua" "http://127.0.0.1:$1")
  if grep -q "Non-2xx" <<<"$out"; then echo "wrk saw errors on port $1: $out" >&2; exit 1; fi
  awk '/^Requests\/sec:/ { print $2 }' <<<"$out"
}
rate "$plain" 2 >/dev/null; rate "$instrumented" 2 >/dev/null   # warm up both

echo "product detail: GET /products/{id} -> 1 SELECT by primary key; wrk -t2 -c$connections, ${seconds} s per run, loopback"
echo "round | off (req/s) | on (req/s) | on/off"
ratios=()
for round in $(seq 1 "$rounds"); do
  if (( round % 2 )); then off=$(rate "$plain" "$seconds"); on=$(rate "$instrumented" "$seconds")
  else on=$(rate "$instrumented" "$seconds"); off=$(rate "$plain" "$seconds"); fi
  ratio=$(awk -v a="$on" -v b="$off" 'BEGIN { printf "%.3f", a / b }')
  ratios+=("$ratio")
  printf "%5d | %11.0f | %10.0f | %6s\n" "$round" "$off" "$on" "$ratio"
done
printf '%s\n' "${ratios[@]}" | sort -n | awk '{ r[NR] = $1 } END { printf "median on/off: %s\n", r[int((NR + 1) / 2)] }'
