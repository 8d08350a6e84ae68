#!/usr/bin/env bash
# Overload benchmark (issue 5): find the capacity C* of a mixed journey with an open-model load
# (surge load, constant arrival rate), then offer 1x, 2x, 5x and 10x C* for DURATION seconds each to
# the naive profile and to the default (guarded) profile, in the same run, against the same database.
#
#   Benchmarks/overload.sh [DURATION_SECONDS=60] [PRODUCTS=20000]
#
# Then a burst phase (31 s): C* in the background, and three times 5 x C* journeys within one second.
# "buyers done" is the share of cart and checkout journeys started that finished every step.
#
# Release build, loopback only, bounded: 2 x (4 phases of DURATION + 31 s) plus a capacity search of at
# most 10 steps of 10 s. SWIFT_SCRATCH_PATH=... reuses a release build folder. Prints one table; the raw
# JSON results stay in the work directory it names.
#
# PIN=1 (the default when the machine has at least 2 CPUs) gives the load generator its own CPU and
# the store and its PostgreSQL the others (taskset), as a generator on a separate machine would: on a
# shared CPU every request the generator sends, rejected or not, takes time from the server it measures.
#
# CONNECTIONS=N (default 256) is the generator's keep-alive connections to the store. Requests queue in
# the generator when all are busy, so a few slow requests (carts waiting for admission) delay everyone
# else's, as they would not delay independent users' own connections: CONNECTIONS=2048 gives every
# request in flight its own connection (what independent users get); 256 keeps earlier runs comparable.
#
# SERVER_SURGE=path serves with another `surge` binary (an older build, for an A/B in one sitting) while
# this checkout's build generates the load, so both sides are measured by the same generator.
set -euo pipefail
DURATION=${1:-60}
PRODUCTS=${2:-20000}
PORT=${PORT:-18181}
SCRATCH=${SWIFT_SCRATCH_PATH:-.build-release}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/surge-overload.XXXXXX)
chmod 755 "$WORK"
cd "$ROOT"

echo "building (release)..." >&2
swift build -c release --product surge --scratch-path "$SCRATCH" >&2
SURGE="$SCRATCH/release/surge"
CPUS=$(nproc)
if [ "${PIN:-$([ "$CPUS" -ge 2 ] && echo 1 || echo 0)}" = "1" ]; then
    SERVER_CPUS="0-$((CPUS - 2))"; LOAD_CPUS="$((CPUS - 1))"
    SERVER_RUN=(taskset -c "$SERVER_CPUS"); LOAD_RUN=(taskset -c "$LOAD_CPUS")
    echo "pinned: store and PostgreSQL on CPU $SERVER_CPUS, load generator on CPU $LOAD_CPUS" >&2
else
    SERVER_RUN=(); LOAD_RUN=()
fi

STORE_PID=
stop_store() {
    if [ -n "$STORE_PID" ]; then kill -INT "$STORE_PID" 2>/dev/null || true; wait "$STORE_PID" 2>/dev/null || true; STORE_PID=; fi
}
cleanup() {
    stop_store
    "$SURGE" db stop --data-dir "$WORK/pg" >/dev/null 2>&1 || true
}
trap cleanup EXIT

start_store() { # profile (naive, guarded, or guarded-shed: guarded but shedding what the cache could answer)
    local args=(--profile "$1")
    [ "$1" = guarded-shed ] && args=(--profile guarded --no-serve-cached-under-overload)
    "${SERVER_RUN[@]}" "${SERVER_SURGE:-$SURGE}" serve "${args[@]}" --port "$PORT" --data-dir "$WORK/pg" --seed-products "$PRODUCTS" \
        > "$WORK/store-$1.log" 2>&1 &
    STORE_PID=$!
    for _ in $(seq 1 600); do
        if curl -fsS "http://127.0.0.1:$PORT/health/ready" >/dev/null 2>&1; then return 0; fi
        sleep 0.5
    done
    echo "store ($1) did not become ready; see $WORK/store-$1.log" >&2
    exit 1
}

# One scenario file per offered rate: browse 80%, product 15%, cart 4%, checkout 1%.
scenario() { # rate duration file
    cat > "$3" <<YAML
version: 1
target: http://127.0.0.1:$PORT
defaults:
  max_in_flight: 5000
  connections: ${CONNECTIONS:-256}
  timeout: 10s
feeders:
  product_id: {range: [1, $PRODUCTS], pick: zipf, exponent: 1.1, seed: 7}
  variant_id: {range: [1, $((PRODUCTS * 2))], pick: uniform, seed: 8}
  price: {range: [0, 50000], pick: uniform, seed: 9}
journeys:
  - name: browse
    weight: 80
    feed: [price]
    steps:
      - name: list
        url: /v1/products?limit=20&min_price=\${price}
        check: {status: 200}
  - name: product
    weight: 15
    feed: [product_id]
    steps:
      - name: product
        url: /v1/products/\${product_id}
        check: {status: [200, 404]}
  - name: cart
    weight: 4
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
        check: {status: [200, 404, 409]}
  - name: checkout
    weight: 1
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
        check: {status: [200, 409]}   # 409 sold_out is an honest answer (~10% of the seed's variants), then 409 cart_empty
      - name: checkout
        method: POST
        url: /v1/checkout
        headers: {X-Cart-Token: "\${cart_token}", Idempotency-Key: "\${uuid}"}
        body:
          cart_id: "\${cart_id}"
          email: "load-\${iteration}@example.com"
          shipping_address: {name: Load Test, line1: 1 Test Street, city: Testville, postal_code: "12345", country: US}
          payment_token: tok_ok
        check: {status: [201, 409]}
scenarios:
YAML
}

phase() { # name rate duration >> file
    printf '  - {name: %s, executor: constant-arrival-rate, rate: %s/s, duration: %ss}\n' "$1" "$2" "$3"
}

# 1. Capacity: the highest rate whose p99 < 300 ms with < 1% failures (default profile).
echo "seeding and starting the store (guarded)..." >&2
start_store guarded
CAPACITY=${CAPACITY:-0}   # CAPACITY=N skips the search (to repeat the multiples against a known C*)
if [ "$CAPACITY" -eq 0 ]; then
    for rate in 25 50 100 150 200 250 300 350 400 450 500 600 800; do
        scenario "$rate" 10 "$WORK/cap-$rate.yaml"
        phase "cap-$rate" "$rate" 10 >> "$WORK/cap-$rate.yaml"
        set +e
        "${LOAD_RUN[@]}" "$SURGE" load --scenario "$WORK/cap-$rate.yaml" --slo "p99<300ms,errors<1%" --json "$WORK/cap-$rate.json" --quiet >/dev/null 2>&1
        code=$?
        set -e
        echo "capacity step $rate/s: exit $code" >&2
        if [ "$code" -eq 0 ]; then CAPACITY=$rate; else break; fi
    done
fi
if [ "$CAPACITY" -eq 0 ]; then echo "no rate met the SLO" >&2; exit 1; fi
echo "C* = $CAPACITY journeys/s" >&2
stop_store

# 2. 1x, 2x, 5x, 10x C* against each profile. PROFILES="naive guarded guarded-shed" adds the guarded
#    store without cached answers under overload (--no-serve-cached-under-overload) for an A/B.
for profile in ${PROFILES:-naive guarded}; do
    echo "running $profile..." >&2
    start_store "$profile"
    scenario 0 0 "$WORK/$profile.yaml"
    for k in 1 2 5 10; do phase "x$k" $((CAPACITY * k)) "$DURATION" >> "$WORK/$profile.yaml"; done
    # A flash sale's shape: C* in the background and, three times, 5 x C* journeys arriving within one second.
    printf '  - {name: burst, executor: burst, rate: %s/s, size: %s, within: 1s, every: 10s, bursts: 3, after: 10s}\n' \
        "$CAPACITY" $((CAPACITY * 5)) >> "$WORK/$profile.yaml"
    set +e
    "${LOAD_RUN[@]}" "$SURGE" load --scenario "$WORK/$profile.yaml" --json "$WORK/$profile.json" --html "$WORK/$profile.html" --quiet >/dev/null 2>&1
    set -e
    stop_store
done

python3 - "$WORK" "$CAPACITY" "${PROFILES:-naive guarded}" <<'PY'
import json, sys
work, capacity = sys.argv[1], float(sys.argv[2])

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

print(f"C* = {capacity:g} journeys/s (p99 < 300 ms, errors < 1%, mixed journey, 10 s steps)")
def share_within(hist, limit_ms):
    pairs = list(zip(hist.get("values", []), hist.get("counts", [])))
    total = sum(c for _, c in pairs)
    return sum(c for v, c in pairs if v / 1000.0 <= limit_ms) / total if total else 0.0

print(f"{'profile':12} {'offered':>8} {'goodput/s':>10} {'of C*':>6} {'in 1 s/s':>9} {'of C*':>6} {'checkout ok':>12} {'checkout p99':>13} {'buyers done':>12} {'shed':>7} {'shed browse':>12} {'p99 all':>9}")
by_kind = []   # the second table's rows, gathered in the same pass
for profile in sys.argv[3].split():
    with open(f"{work}/{profile}.json") as f:
        run = json.load(f)
    for phase in run["phases"]:
        duration = phase["durationSeconds"] or 1
        journeys = {j["name"]: j for j in phase["journeys"]}
        goodput = sum(j["succeeded"] for j in journeys.values()) / duration
        # Goodput a user would call good: successful journeys that also finished within 1 s.
        timely = sum(j["succeeded"] * share_within(j["duration"], 1000) for j in journeys.values()) / duration
        checkout = next(s for s in journeys["checkout"]["steps"] if s["name"] == "checkout")
        requests = checkout["counts"]["requests"]
        ok = checkout["counts"]["successes"] / requests if requests else float("nan")
        shed_total = sum(s["counts"]["shed"] for j in journeys.values() for s in j["steps"])
        # Buyer journeys completed: of the cart and checkout journeys started, the share that finished.
        buyers_started = sum(journeys[name]["started"] for name in ("cart", "checkout"))
        buyers_done = sum(journeys[name]["succeeded"] for name in ("cart", "checkout")) / buyers_started if buyers_started else float("nan")
        shed_browse = sum(s["counts"]["shed"] for name in ("browse", "product") for s in journeys[name]["steps"])
        print(f"{profile:12} {phase['name']:>8} {goodput:10.1f} {goodput / capacity:6.2f} {timely:9.1f} {timely / capacity:6.2f} {ok * 100:11.2f}% "
              f"{percentile(checkout['latency'], 99):11.1f}ms {buyers_done * 100:11.1f}% {shed_total:7d} "
              f"{(shed_browse / shed_total * 100 if shed_total else 0):11.1f}% {percentile(phase['latency'], 99):7.1f}ms")
        by_kind.append(f"{profile:12} {phase['name']:>8} {journeys['browse']['succeeded'] / duration:8.1f} "
                       f"{journeys['product']['succeeded'] / duration:8.1f} {journeys['cart']['succeeded'] / duration:8.1f} "
                       f"{journeys['checkout']['succeeded'] / duration:9.1f}")
print()
print("successful journeys/s by kind (the goodput above, split)")
print(f"{'profile':12} {'offered':>8} {'browse':>8} {'product':>8} {'cart':>8} {'checkout':>9}")
print("\n".join(by_kind))
print(f"(JSON and HTML reports in {work})")
PY
