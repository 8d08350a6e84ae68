#!/usr/bin/env bash
# surge capacity (issue 21): how well does the peak predicted from safe load (≤ 50% of the predicted
# peak) match the peak a full ramp measures? For each profile (naive, guarded) the store is started
# on a private PostgreSQL and ramped RUNS times with
#   surge capacity --rates auto --stop-at-fraction 0.5 --validate
# which first offers open-model rates (25 req/s, doubling, landing on half the peak predicted so far:
# the USL fit capped by the operational laws' demand bound), records the prediction when measured
# throughput reaches half of it, then ramps closed-loop concurrency to saturation; the error is
# (predicted − measured peak) / measured peak. MODE=paced (the default) adds `--paced`: after the rate
# steps, cores + 1 users working 10%, 20%, 40%… of every second up to half the peak; the prediction is their
# demand bound, and the rate steps' own bound is printed beside it ("rate bound", "rate err"), so both
# estimators are checked against the same measured peak in the same run. MODE=rates: the rate steps
# alone predict. PACE_PERIOD=… sets `--paced-period` (default 1s). MODE=closed runs the closed-loop-only ramp instead (no rate steps: the prediction once
# a closed-loop step reaches half the predicted peak).
#
#   Benchmarks/capacity.sh [RUNS=3] [STEP_SECONDS=5] [PRODUCTS=10000]
#
# Release build (SURGE_BIN=… to use another binary), loopback only, bounded: per run at most 16 steps.
# PIN=1 (default with ≥ 2 CPUs) puts the load generator on the last CPU and the store and PostgreSQL
# on the others (taskset). Prints one table; the JSON and HTML reports stay in the work directory.
set -euo pipefail
RUNS=${1:-3}
STEP=${2:-5}
PRODUCTS=${3:-10000}
PORT=${PORT:-18383}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
SURGE=${SURGE_BIN:-.build/release/surge}
[ -x "$SURGE" ] || swift build -c release --product surge >&2
WORK=$(mktemp -d /tmp/surge-capacity.XXXXXX)
chmod 755 "$WORK"
CPUS=$(nproc)
if [ "${PIN:-$([ "$CPUS" -ge 2 ] && echo 1 || echo 0)}" = "1" ]; then
    SERVER_RUN=(taskset -c "0-$((CPUS - 2))"); LOAD_RUN=(taskset -c "$((CPUS - 1))")
    DB_CORES=$((CPUS - 1))
else
    SERVER_RUN=(); LOAD_RUN=(); DB_CORES=$CPUS
fi

STORE_PID=
stop_store() {
    if [ -n "$STORE_PID" ]; then kill -INT "$STORE_PID" 2>/dev/null || true; wait "$STORE_PID" 2>/dev/null || true; STORE_PID=; fi
}
cleanup() { stop_store; "$SURGE" db stop --data-dir "$WORK/pg" >/dev/null 2>&1 || true; }
trap cleanup EXIT

start_store() { # profile
    "${SERVER_RUN[@]}" "$SURGE" serve --profile "$1" --port "$PORT" --data-dir "$WORK/pg" --seed-products "$PRODUCTS" \
        > "$WORK/store-$1.log" 2>&1 &
    STORE_PID=$!
    for _ in $(seq 1 600); do
        if curl -fsS "http://127.0.0.1:$PORT/health/ready" >/dev/null 2>&1; then return 0; fi
        sleep 0.5
    done
    echo "store ($1) did not become ready; see $WORK/store-$1.log" >&2
    exit 1
}

# Closed-loop journeys without think time: listings, searches and product pages.
cat > "$WORK/scenario.yaml" <<YAML
version: 1
target: http://127.0.0.1:$PORT
defaults:
  timeout: 10s
feeders:
  product_id: {range: [1, $PRODUCTS], pick: zipf, exponent: 1.1, seed: 7}
  price: {range: [0, 50000], pick: uniform, seed: 9}
journeys:
  - name: list
    weight: 6
    feed: [price]
    steps:
      - {name: list, url: "/v1/products?limit=20&min_price=\${price}", check: {status: 200}}
  - name: product
    weight: 4
    feed: [product_id]
    steps:
      - {name: product, url: "/v1/products/\${product_id}", check: {status: 200}}
scenarios:
  - {name: mix, executor: constant-concurrency, users: 1, duration: 1s}
YAML

MODE=${MODE:-paced}
RATES=()
case "$MODE" in
    rates) RATES=(--rates auto) ;;
    paced) RATES=(--rates auto --paced --paced-period "${PACE_PERIOD:-1s}") ;;
esac
printf "%-8s %3s %6s %8s %9s %9s %-44s %10s %9s %6s %8s %10s %8s\n" profile run steps "at pred" "USL peak" "bound" "limited by" predicted measured "at N" "error" "rate bound" "rate err" > "$WORK/table.txt"
for profile in naive guarded; do
    start_store "$profile"
    DB=$("$SURGE" db url --data-dir "$WORK/pg")
    for run in $(seq 1 "$RUNS"); do
        out="$WORK/$profile-$run"
        "${LOAD_RUN[@]}" "$SURGE" capacity --target "http://127.0.0.1:$PORT" --scenario "$WORK/scenario.yaml" \
            --levels 1,2,3,4,6,8,12,16,24,32,48,64,96,128,192,256 --steps 16 --step-duration "${STEP}s" \
            "${RATES[@]}" --stop-at-fraction 0.5 --validate --event-loops 1 --database-url "$DB" --database-cores "$DB_CORES" \
            --store-metrics "http://127.0.0.1:$PORT/metrics" --json "$out.json" --html "$out.html" --quiet > "$out.txt" 2>&1 || true
        python3 - "$out.json" "$profile" "$run" >> "$WORK/table.txt" <<'PY' || echo "$profile $run: no report, see ${out}.txt" >> "$WORK/table.txt"
import json, sys
report = json.load(open(sys.argv[1]))
c = report.get("predictionCheck")
if not c:
    print(f"{sys.argv[2]:<8} {sys.argv[3]:>3}  no prediction reached (stop: {report.get('stopReason')})")
else:
    flag = "" if c["reachedSaturation"] else " (not saturated)"
    num = lambda v: "-" if v is None else f"{v:.0f}"
    print(f"{sys.argv[2]:<8} {sys.argv[3]:>3} {c['fromSteps']:>6} {c['measuredShareAtPrediction']*100:>7.0f}% {num(c.get('uslPeak')):>9} "
          f"{num(c.get('demandBound')):>9} {(c.get('demandLimitedBy') or '-'):<44} {c['predictedPeak']:>10.0f} "
          f"{c['measuredPeak']:>9.0f} {c['measuredPeakLoad']:>6} {c['errorPercent']:>+7.1f}% "
          + (f"{c['rateStepsBound']:>10.0f} {(c['rateStepsBound'] - c['measuredPeak']) / c['measuredPeak'] * 100:>+7.1f}%" if c.get('rateStepsBound') else f"{'-':>10} {'-':>8}")
          + flag)
PY
    done
    stop_store
done
cat "$WORK/table.txt"
echo "reports: $WORK" >&2
