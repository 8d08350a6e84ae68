#!/usr/bin/env bash
# surge load vs wrk against nginx serving a small static file on loopback.
# nginx pinned to CPU 0, the generator to CPU 1, 64 keep-alive connections, closed loop (max throughput).
# Prints requests/s and requests per generator CPU-second (user+sys from /usr/bin/time), medians of RUNS.
# Usage: Benchmarks/load-vs-wrk.sh [RUNS=3] [SECONDS=10]
set -euo pipefail
RUNS=${1:-3}
SECONDS_PER_RUN=${2:-10}
PORT=${PORT:-18089}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/surge-load-bench.XXXXXX)
trap 'kill "$(cat "$WORK/nginx.pid" 2>/dev/null)" 2>/dev/null || true; rm -rf "$WORK"' EXIT

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

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

run_wrk() {
  /usr/bin/time -f "%U %S" -o "$WORK/time" taskset -c 1 wrk -t1 -c64 -d"${SECONDS_PER_RUN}s" "$URL" > "$WORK/wrk.out"
  local rps cpu
  rps=$(awk '/Requests\/sec/ {print $2}' "$WORK/wrk.out")
  cpu=$(awk '{print $1 + $2}' "$WORK/time")
  echo "$rps $(awk -v r="$rps" -v s="$SECONDS_PER_RUN" -v c="$cpu" 'BEGIN {printf "%.0f", r * s / c}')"
}

run_surge() {
  /usr/bin/time -f "%U %S" -o "$WORK/time" taskset -c 1 "$SURGE" load "$URL" --connections 64 --event-loops 1 \
    --duration "${SECONDS_PER_RUN}s" --quiet --json "$WORK/surge.json" > /dev/null || true
  local requests wall cpu
  requests=$(jq '[.phases[].counts.requests] | add' "$WORK/surge.json")
  wall=$(jq '.generator.wallSeconds' "$WORK/surge.json")
  cpu=$(awk '{print $1 + $2}' "$WORK/time")
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
  cpu=$(awk '{print $1 + $2}' "$WORK/time")
  awk -v n="$requests" -v w="$wall" -v c="$cpu" 'BEGIN {printf "%.0f %.0f\n", n / w, n / c}'
}
: > "$WORK/journey.all"
for run in $(seq "$RUNS"); do run_journey >> "$WORK/journey.all"; done
J_RPS=$(awk '{print $1}' "$WORK/journey.all" | median)
J_CPU=$(awk '{print $2}' "$WORK/journey.all" | median)
printf '%-12s %12.0f %22.0f %9.2fx %11.2fx   (journeys: 4 steps, a JSON check, an extraction, a Zipf feeder; successful requests)\n' \
  "surge journey" "$J_RPS" "$J_CPU" \
  "$(awk -v a="$J_RPS" -v b="$WRK_RPS" 'BEGIN {print a / b}')" "$(awk -v a="$J_CPU" -v b="$WRK_CPU" 'BEGIN {print a / b}')"

echo
echo "open model against the same nginx: 10000 arrivals/s for ${SECONDS_PER_RUN}s, generator on CPU 1 (target: achieved rate within 1%, schedule lag p99 <= 1 ms)"
taskset -c 1 "$SURGE" load "$URL" --rate 10000 --duration "${SECONDS_PER_RUN}s" --connections 64 --event-loops 1 --quiet \
  --max-schedule-lag-ms 1 | head -3 || true
echo
echo "stall server (frozen 1 s in every 10 s, true p99 900 ms), generator on CPU 1:"
taskset -c 1 "$SURGE" load --self-test --quiet | tail -1 || true
