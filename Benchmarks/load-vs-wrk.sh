#!/usr/bin/env bash
# surge load vs wrk against nginx serving a small static file on loopback.
# nginx pinned to CPU 0, the generator to CPU 1, 64 keep-alive connections, closed loop (max throughput).
# Prints requests/s and requests per generator CPU-second (user+sys from /usr/bin/time), medians of RUNS,
# for wrk, surge (raw and journey) and Locust's FastHttpUser (Benchmarks/locust_journey.py, if installed).
# Usage: Benchmarks/load-vs-wrk.sh [RUNS=3] [SECONDS=10]
#        Benchmarks/load-vs-wrk.sh soak [MINUTES=10] [RATE=5000]   generator RSS growth after the first minute
#        Benchmarks/load-vs-wrk.sh rate [SECONDS=60] [RATE=10000]  achieved rate and schedule lag, with CPU 1
#                                  as found, shared with a busy loop, and shared with the generator at nice -20
#                                  or SCHED_FIFO (the generator's own timing vs the OS scheduler's)
set -euo pipefail
MODE=throughput
case "${1:-}" in soak|rate) MODE=$1; shift ;; esac
RUNS=${1:-3}
SECONDS_PER_RUN=${2:-10}
PORT=${PORT:-18089}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/surge-load-bench.XXXXXX)
trap 'kill "$(cat "$WORK/nginx.pid" 2>/dev/null)" 2>/dev/null || true; if [ -n "${HOG:-}" ]; then kill "$HOG" 2>/dev/null || true; fi; rm -rf "$WORK"' EXIT

(cd "$ROOT" && swift build -c release --product surge >/dev/null 2>&1)
SURGE="$ROOT/.build/release/surge"

mkdir -p "$WORK/www" "$WORK/tmp"
chmod 755 "$WORK" "$WORK/www"
printf 'hello from nginx\n' > "$WORK/www/small.txt"
printf '{"id": 42, "name": "widget", "price": 1999}' > "$WORK/www/item.json"
cat > "$WORK/journey.yaml" <<YAML
target: http://127.0.0.1:$PORT
feeders:
  product: {range: [1, 1000], pick: zipf, exponent: 1.1, seed: 7}
journeys:
  - name: four-steps
    feed: [product]
    steps:
      - url: /small.txt
      - url: /item.json?p=\${product}
        check: {status: 200, json: {"\$.name": widget}}
        extract: {id: \$.id}
      - url: /small.txt?id=\${id}
      - url: /item.json
scenarios:
  - name: journeys
    executor: constant-concurrency
    users: 64
    duration: ${SECONDS_PER_RUN}s
YAML
cat > "$WORK/nginx.conf" <<CONF
worker_processes 1;
daemon on;
pid $WORK/nginx.pid;
error_log $WORK/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $WORK/tmp; proxy_temp_path $WORK/tmp; fastcgi_temp_path $WORK/tmp;
  uwsgi_temp_path $WORK/tmp; scgi_temp_path $WORK/tmp;
  keepalive_requests 100000000;
  server { listen 127.0.0.1:$PORT; root $WORK/www; }
}
CONF
taskset -c 0 nginx -c "$WORK/nginx.conf" -p "$WORK"
sleep 0.5
URL="http://127.0.0.1:$PORT/small.txt"
curl -sf "$URL" >/dev/null

if [ "$MODE" = soak ]; then
  MINUTES=${1:-10}
  RATE=${2:-5000}
  echo "soak: $RATE arrivals/s for ${MINUTES}m against nginx (CPU 0), generator on CPU 1, release build; $(date -u +%FT%TZ)"
  taskset -c 1 "$SURGE" load "$URL" --rate "$RATE" --duration "${MINUTES}m" --connections 64 --event-loops 1 --quiet \
    --json "${SOAK_JSON:-$WORK/soak.json}" --html "${SOAK_HTML:-$WORK/soak.html}" | grep -E "^main|generator" || true
  jq -r '.generator.memory | "RSS MiB at 1 min: \(.residentBytes[(60 + .intervalSeconds - 1) / .intervalSeconds | floor] / 1048576 * 10 | round / 10)  at the end: \(.endBytes / 1048576 * 10 | round / 10)  peak: \(.peakBytes / 1048576 * 10 | round / 10)"' \
    "${SOAK_JSON:-$WORK/soak.json}"
  exit 0
fi

if [ "$MODE" = rate ]; then
  SECONDS_RATE=${1:-60}
  RATE=${2:-10000}
  rate_run() {
    local label=$1; shift
    "$@" "$SURGE" load "$URL" --rate "$RATE" --duration "${SECONDS_RATE}s" --connections 64 --event-loops 1 --quiet \
      --max-schedule-lag-ms 1 --json "$WORK/rate.json" > /dev/null || true
    jq -r --arg name "$label" '.phases[0] as $p | $p.scheduleLag as $h
      | ($h.counts | add) as $n
      | def pct(q): ([foreach range(0; $h.values | length) as $i (0; . + $h.counts[$i]; [., $h.values[$i]])]
                     | map(select(.[0] >= $n * q)) | first | .[1]);
      "\($name)\t\($p.arrivals)\t\($p.arrivals / $p.durationSeconds | . * 10 | round / 10)\t\(pct(0.5))\t\(pct(0.99))\t\(pct(0.999))\t\($h.values[-1])"' "$WORK/rate.json"
  }
  echo "open model: $RATE arrivals/s for ${SECONDS_RATE}s, nginx on CPU 0, generator on CPU 1, 1 event loop; $(date -u +%FT%TZ)"
  printf 'condition\tarrivals\trate/s\tlag p50 us\tlag p99 us\tlag p99.9 us\tlag max us\n'
  rate_run "CPU 1 as found" taskset -c 1
  taskset -c 1 sh -c 'while :; do :; done' & HOG=$!
  rate_run "CPU 1 shared with a busy loop" taskset -c 1
  rate_run "same, generator at nice -20" nice -n -20 taskset -c 1
  rate_run "same, generator SCHED_FIFO" chrt -f 10 taskset -c 1
  kill "$HOG"
  exit 0
fi

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

run_wrk() {
  /usr/bin/time -f "%U %S" -o "$WORK/time" taskset -c 1 wrk -t1 -c64 -d"${SECONDS_PER_RUN}s" "$URL" > "$WORK/wrk.out"
  local rps cpu
  rps=$(awk '/Requests\/sec/ {print $2}' "$WORK/wrk.out")
  cpu=$(tail -1 "$WORK/time" | awk '{print $1 + $2}')  # the last line: a non-zero exit adds a line before it
  echo "$rps $(awk -v r="$rps" -v s="$SECONDS_PER_RUN" -v c="$cpu" 'BEGIN {printf "%.0f", r * s / c}')"
}

run_surge() {
  /usr/bin/time -f "%U %S" -o "$WORK/time" taskset -c 1 "$SURGE" load "$URL" --connections 64 --event-loops 1 \
    --duration "${SECONDS_PER_RUN}s" --quiet --json "$WORK/surge.json" > /dev/null || true
  local requests wall cpu
  requests=$(jq '[.phases[].counts.requests] | add' "$WORK/surge.json")
  wall=$(jq '.generator.wallSeconds' "$WORK/surge.json")
  cpu=$(tail -1 "$WORK/time" | awk '{print $1 + $2}')  # the last line: a non-zero exit adds a line before it
  awk -v n="$requests" -v w="$wall" -v c="$cpu" 'BEGIN {printf "%.0f %.0f\n", n / w, n / c}'
}

: > "$WORK/wrk.all"; : > "$WORK/surge.all"
for run in $(seq "$RUNS"); do
  run_wrk >> "$WORK/wrk.all"
  run_surge >> "$WORK/surge.all"
done
WRK_RPS=$(awk '{print $1}' "$WORK/wrk.all" | median)
WRK_CPU=$(awk '{print $2}' "$WORK/wrk.all" | median)
SURGE_RPS=$(awk '{print $1}' "$WORK/surge.all" | median)
SURGE_CPU=$(awk '{print $2}' "$WORK/surge.all" | median)

echo "nginx (1 worker, CPU 0) small static file; generator on CPU 1; 64 connections; $RUNS runs x ${SECONDS_PER_RUN}s; medians"
printf '%-12s %12s %22s %10s %12s\n' tool "req/s" "req per gen CPU-s" "vs wrk" "CPU vs wrk"
printf '%-12s %12.0f %22.0f %10s %12s\n' wrk "$WRK_RPS" "$WRK_CPU" "1.00x" "1.00x"
printf '%-12s %12.0f %22.0f %9.2fx %11.2fx\n' "surge load" "$SURGE_RPS" "$SURGE_CPU" \
  "$(awk -v a="$SURGE_RPS" -v b="$WRK_RPS" 'BEGIN {print a / b}')" "$(awk -v a="$SURGE_CPU" -v b="$WRK_CPU" 'BEGIN {print a / b}')"

run_journey() {
  /usr/bin/time -f "%U %S" -o "$WORK/time" taskset -c 1 "$SURGE" load --scenario "$WORK/journey.yaml" --event-loops 1 \
    --quiet --json "$WORK/journey.json" > /dev/null || true
  local requests wall cpu
  requests=$(jq '[.phases[].counts.successes] | add' "$WORK/journey.json")
  wall=$(jq '.generator.wallSeconds' "$WORK/journey.json")
  cpu=$(tail -1 "$WORK/time" | awk '{print $1 + $2}')  # the last line: a non-zero exit adds a line before it
  awk -v n="$requests" -v w="$wall" -v c="$cpu" 'BEGIN {printf "%.0f %.0f\n", n / w, n / c}'
}
: > "$WORK/journey.all"
for run in $(seq "$RUNS"); do run_journey >> "$WORK/journey.all"; done
J_RPS=$(awk '{print $1}' "$WORK/journey.all" | median)
J_CPU=$(awk '{print $2}' "$WORK/journey.all" | median)
printf '%-12s %12.0f %22.0f %9.2fx %11.2fx   (journeys: 4 steps, a JSON check, an extraction, a Zipf feeder; successful requests)\n' \
  "surge journey" "$J_RPS" "$J_CPU" \
  "$(awk -v a="$J_RPS" -v b="$WRK_RPS" 'BEGIN {print a / b}')" "$(awk -v a="$J_CPU" -v b="$WRK_CPU" 'BEGIN {print a / b}')"

LOCUST_LINE=""
if command -v locust >/dev/null 2>&1; then
  run_locust() {
    /usr/bin/time -f "%U %S" -o "$WORK/time" taskset -c 1 locust -f "$ROOT/Benchmarks/locust_journey.py" --headless \
      -u 64 -r 64 -t "${SECONDS_PER_RUN}s" --host "http://127.0.0.1:$PORT" --only-summary --csv "$WORK/locust" > /dev/null 2>&1 || true
    local requests cpu
    requests=$(awk -F, '$2 == "Aggregated" {print $3 - $4}' "$WORK/locust_stats.csv")
    cpu=$(tail -1 "$WORK/time" | awk '{print $1 + $2}')  # the last line: a non-zero exit adds a line before it
    awk -v n="$requests" -v w="$SECONDS_PER_RUN" -v c="$cpu" 'BEGIN {printf "%.0f %.0f\n", n / w, n / c}'
  }
  : > "$WORK/locust.all"
  for run in $(seq "$RUNS"); do run_locust >> "$WORK/locust.all"; done
  L_RPS=$(awk '{print $1}' "$WORK/locust.all" | median)
  L_CPU=$(awk '{print $2}' "$WORK/locust.all" | median)
  printf '%-12s %12.0f %22.0f %9.2fx %11.2fx   (the same journey, Benchmarks/locust_journey.py; successful requests)\n' \
    "locust fast" "$L_RPS" "$L_CPU" \
    "$(awk -v a="$L_RPS" -v b="$WRK_RPS" 'BEGIN {print a / b}')" "$(awk -v a="$L_CPU" -v b="$WRK_CPU" 'BEGIN {print a / b}')"
  echo "surge journey vs locust per CPU-second: $(awk -v a="$J_CPU" -v b="$L_CPU" 'BEGIN {printf "%.1fx", a / b}')"
else
  echo "locust: not installed (pip install locust), row skipped"
fi

echo
echo "open model against the same nginx: 10000 arrivals/s for ${SECONDS_PER_RUN}s, generator on CPU 1 (target: achieved rate within 1%, schedule lag p99 <= 1 ms)"
taskset -c 1 "$SURGE" load "$URL" --rate 10000 --duration "${SECONDS_PER_RUN}s" --connections 64 --event-loops 1 --quiet \
  --max-schedule-lag-ms 1 | head -3 || true
echo
echo "stall server (frozen 1 s in every 10 s, true p99 900 ms), generator on CPU 1:"
taskset -c 1 "$SURGE" load --self-test --quiet | tail -1 || true
