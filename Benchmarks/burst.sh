#!/usr/bin/env bash
# Bursts and restarts (issue 17): what buyers get when they arrive at the same moment, and whether the
# store gets its capacity back after PostgreSQL restarts, naive profile against guarded, in one run.
#
#   Benchmarks/burst.sh [SIZES="50 200 1000"] [PRODUCTS=20000]
#
# 1. Bursts: for each size, that many buyer journeys (create a cart, add an item, check out) all
#    arriving within the same millisecond (`surge load`'s burst executor), on an otherwise idle store
#    with ample stock. Table: 503s, journeys completed, orders, journey p99, checkout p99.
# 2. Restart: 16 shoppers browsing pages no cache answers (constant concurrency, 60 s); at 15 s
#    PostgreSQL is stopped (`pg_ctl -m immediate`) for 5 s and started again. Table: pages/s and the
#    share refused per 5 s window, before, during and after.
#
# Release build, loopback only, bounded (each burst ≤ 20 s, each restart run 60 s).
# SWIFT_SCRATCH_PATH=... reuses a release build folder. Raw JSON stays in the work directory it names.
set -euo pipefail
SIZES=${1:-50 200 1000}
PRODUCTS=${2:-20000}
PORT=${PORT:-18182}
SCRATCH=${SWIFT_SCRATCH_PATH:-.build-release}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/surge-burst.XXXXXX)
chmod 755 "$WORK"
cd "$ROOT"
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
AS_PG=(); [ "$(id -u)" = 0 ] && AS_PG=(runuser -u postgres --)

echo "building (release)..." >&2
swift build -c release --product surge --scratch-path "$SCRATCH" >&2
SURGE="$SCRATCH/release/surge"

STORE_PID=
stop_store() {
    if [ -n "$STORE_PID" ]; then kill -INT "$STORE_PID" 2>/dev/null || true; wait "$STORE_PID" 2>/dev/null || true; STORE_PID=; fi
}
cleanup() {
    stop_store
    "$SURGE" db stop --data-dir "$WORK/pg" >/dev/null 2>&1 || true
}
trap cleanup EXIT

start_store() { # profile
    "$SURGE" serve --profile "$1" --port "$PORT" --data-dir "$WORK/pg" --seed-products "$PRODUCTS" > "$WORK/store-$1.log" 2>&1 &
    STORE_PID=$!
    for _ in $(seq 1 600); do
        if curl -fsS "http://127.0.0.1:$PORT/health/ready" >/dev/null 2>&1; then return 0; fi
        sleep 0.5
    done
    echo "store ($1) did not become ready; see $WORK/store-$1.log" >&2
    exit 1
}

header() { # file
    cat > "$1" <<YAML
version: 1
target: http://127.0.0.1:$PORT
defaults:
  max_in_flight: 20000
  connections: 1024
  timeout: 20s
feeders:
  variant_id: {range: [1, $((PRODUCTS * 2))], pick: uniform, seed: 8}
  price: {range: [0, 50000], pick: uniform, seed: 9}
journeys:
  - name: buyer
    feed: [variant_id]
    steps:
      - name: create-cart
        method: POST
        url: /v1/carts
        check: {status: 201}
        extract: {cart_id: \$.id, cart_token: \$.token}
      - name: add-item
        method: POST
        url: /v1/carts/\${cart_id}/items
        headers: {X-Cart-Token: "\${cart_token}"}
        body: {variant_id: "\${variant_id}", quantity: 1}
        check: {status: [200, 409]}   # 409 sold_out: an honest answer (about 10% of the seed's variants have no stock)
      - name: checkout
        method: POST
        url: /v1/checkout
        headers: {X-Cart-Token: "\${cart_token}", Idempotency-Key: "\${uuid}"}
        body:
          cart_id: "\${cart_id}"
          email: "burst-\${iteration}@example.com"
          shipping_address: {name: Burst Test, line1: 1 Test Street, city: Testville, postal_code: "12345", country: US}
          payment_token: tok_ok
        check: {status: [201, 409]}
  - name: shopper
    feed: [price]
    steps:
      - name: list
        url: /v1/products?limit=20&min_price=\${price}
        check: {status: 200}
        headers: {User-Agent: "Mozilla/5.0 (burst benchmark)"}
scenarios:
YAML
}

for profile in naive guarded; do
    echo "bursts against $profile..." >&2
    start_store "$profile"
    for size in $SIZES; do
        header "$WORK/burst-$profile-$size.yaml"
        printf '  - {name: burst-%s, executor: burst, size: %s, within: 0s, after: 15s, journeys: [buyer]}\n' "$size" "$size" \
            >> "$WORK/burst-$profile-$size.yaml"
        "$SURGE" load --scenario "$WORK/burst-$profile-$size.yaml" --json "$WORK/burst-$profile-$size.json" --quiet >/dev/null 2>&1 || true
    done
    echo "restart under load against $profile..." >&2
    header "$WORK/restart-$profile.yaml"
    printf '  - {name: restart, executor: constant-concurrency, users: 16, duration: 60s, journeys: [shopper]}\n' >> "$WORK/restart-$profile.yaml"
    "$SURGE" load --scenario "$WORK/restart-$profile.yaml" --json "$WORK/restart-$profile.json" --quiet >/dev/null 2>&1 &
    LOAD_PID=$!
    sleep 15
    "${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$WORK/pg" -m immediate -w stop >/dev/null
    sleep 5
    (cd /tmp && "${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$WORK/pg" -l "$WORK/pg/server.log" -w start >/dev/null)
    wait "$LOAD_PID" || true
    stop_store
done

python3 - "$WORK" "$SIZES" <<'PY'
import json, sys
work, sizes = sys.argv[1], sys.argv[2].split()

def percentile(hist, p):
    pairs = sorted(zip(hist.get("values", []), hist.get("counts", [])))
    total = sum(c for _, c in pairs)
    if total == 0:
        return 0.0
    rank, seen = total * p / 100.0, 0
    for value, count in pairs:
        seen += count
        if seen >= rank:
            return value / 1000.0
    return pairs[-1][0] / 1000.0

print("bursts: N buyers arriving in the same millisecond (create cart, add item, check out)")
print(f"{'profile':8} {'buyers':>7} {'503s':>6} {'completed':>10} {'orders':>7} {'journey p99':>12} {'checkout p99':>13}")
for profile in ("naive", "guarded"):
    for size in sizes:
        with open(f"{work}/burst-{profile}-{size}.json") as f:
            phase = json.load(f)["phases"][0]
        journey = phase["journeys"][0]
        steps = {s["name"]: s for s in journey["steps"]}
        shed = sum(s["counts"]["shed"] for s in journey["steps"])
        started = journey["started"] or 1
        print(f"{profile:8} {size:>7} {shed:6d} {journey['succeeded'] / started * 100:9.1f}% {steps['checkout']['counts']['successes']:7d} "
              f"{percentile(journey['duration'], 99):10.1f}ms {percentile(steps['checkout']['latency'], 99):11.1f}ms")
print()
print("restart: 16 shoppers on uncached pages; PostgreSQL stopped at 15 s for 5 s")
print(f"{'profile':8} " + " ".join(f"{f'{t}-{t + 5}s':>13}" for t in range(0, 60, 5)))
for profile in ("naive", "guarded"):
    with open(f"{work}/restart-{profile}.json") as f:
        phase = json.load(f)["phases"][0]
    buckets = phase["timeline"]["buckets"]
    width = phase["timeline"].get("bucketSeconds", 1)
    cells = []
    for start in range(0, 60, 5):
        window = buckets[start // width:(start + 5) // width]
        ok = sum(b["counts"]["successes"] for b in window)
        shed = sum(b["counts"]["shed"] for b in window)
        total = sum(b["counts"]["requests"] for b in window) or 1
        cells.append(f"{ok / 5:6.0f}/s {shed / total * 100:3.0f}%")
    print(f"{profile:8} " + " ".join(f"{c:>13}" for c in cells))
print("(each cell: pages served per second, share of answers refused with 503)")
print(f"(JSON reports in {work})")
PY
