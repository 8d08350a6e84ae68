#!/usr/bin/env bash
# surge drill: the postmortem drill end to end on this machine (release build), RUNS times, with its
# figures as a markdown table: journey completion and checkout p99 before and after the fix, time to
# diagnosis, time to resolve, total time. Each run's HTML postmortem is kept in $OUT.
# Usage: Benchmarks/drill.sh [runs] [extra surge drill flags…]   (SURGE_BIN=… to use another build)
set -uo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-1}
shift || true
SURGE=${SURGE_BIN:-.build-release/release/surge}
[ -x "$SURGE" ] || swift build -c release --product surge --scratch-path .build-release >/dev/null
SURGE=$(realpath "$SURGE")
OUT=${OUT:-$(mktemp -d /tmp/surge-drill-bench.XXXXXX)}
echo "| run | drill | exit | checkout completion before → after | add-to-cart before → after | checkout p99 before → after | product page p99 before → after | goodput before → after | doctor named | time to detect | time to resolve | total |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
for run in $(seq 1 "$RUNS"); do
  start=$(date +%s.%N)
  "$SURGE" drill "$@" --json --html "$OUT/postmortem-$run.html" > "$OUT/run-$run.json" 2> "$OUT/run-$run.err"
  code=$?
  end=$(date +%s.%N)
  python3 - "$OUT/run-$run.json" "$run" "$code" "$(echo "$end - $start" | bc)" <<'PY'
import json, sys
path, run, code, wall = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
try:
    d = json.load(open(path))
except Exception as e:
    print(f"| {run} | ? | {code} | (no report: {e}) |||||||||"); sys.exit()
b, a = d["before"], d.get("after") or {}
def pair(key, fmt):
    return f"{fmt(b[key])} → {fmt(a[key]) if key in a else '—'}"
pct = lambda v: f"{v:.1f}%"
ms = lambda v: f"{v:,.0f} ms"
rate = lambda v: f"{v:.0f}/s"
det = d["detection"]
secs = lambda v: "—" if v is None else f"{v:.1f} s"
print(f"| {run} | {d['drill']} | {code} | {pair('checkoutCompletionPercent', pct)} | {pair('addToCartCompletionPercent', pct)} | "
      f"{pair('checkoutP99Milliseconds', ms)} | {pair('productPageP99Milliseconds', ms)} | {pair('goodputPerSecond', rate)} | "
      f"{det.get('cause') if det['named'] else 'no'} | {secs(d.get('secondsToDetect'))} | {secs(d.get('secondsToResolve'))} | {wall:.0f} s |")
PY
done
echo
echo "reports: $OUT"
