#!/usr/bin/env bash
# Property-based fuzzing of the store's API from its own OpenAPI document (issue 24): starts `surge
# serve` on a fresh private PostgreSQL with a small catalog, on a free loopback port, and drives every
# documented operation with Schemathesis (generated valid and invalid requests, every check; see
# .ci/schemathesis.toml), with a fixed seed and a bounded time. Any failure fails the script (and CI),
# and so does a request the store answered but logged as a gap (an unhandled error, or a client value
# PostgreSQL refused because RequestContract let it through).
#
#   .ci/fuzz-api.sh                        # the debug binary `swift build` made
#   SURGE=.build/release/surge FUZZ_SECONDS=60 .ci/fuzz-api.sh
#
# Environment: SURGE (binary), FUZZ_SEED (default 24), FUZZ_EXAMPLES (per operation and phase, default
# 40), FUZZ_SECONDS (time budget of the Schemathesis run, default 170; the whole script stays under
# ~3 minutes once the store is up), FUZZ_REPORT_DIR (JUnit report, default /tmp/surge-fuzz-report).
set -euo pipefail
cd "$(dirname "$0")/.."

SURGE=${SURGE:-.build/debug/surge}
SEED=${FUZZ_SEED:-24}
EXAMPLES=${FUZZ_EXAMPLES:-40}
BUDGET=${FUZZ_SECONDS:-170}
REPORT_DIR=${FUZZ_REPORT_DIR:-/tmp/surge-fuzz-report}
SCHEMATHESIS_VERSION=4.32.5   # pinned: a new release may add checks, and CI must not change under us

# In a virtual environment of its own: Debian's python3 refuses `pip install` into the system
# (PEP 668, "externally-managed-environment"), and CI must not depend on what else is installed.
VENV=${FUZZ_VENV:-.build/schemathesis-$SCHEMATHESIS_VERSION}
if [ ! -x "$VENV/bin/st" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi
st() { "$VENV/bin/st" "$@"; }
[ -x "$SURGE" ] || { echo "fuzz-api: $SURGE not found: run swift build first" >&2; exit 2; }

# The private server runs as the `postgres` OS user when we are root: its directory must be traversable.
work=$(mktemp -d /tmp/surge-fuzz.XXXXXX)
chmod 755 "$work"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
serve_pid=""
cleanup() {
  if [ -n "$serve_pid" ] && kill -0 "$serve_pid" 2>/dev/null; then
    kill -TERM "$serve_pid"            # graceful: the store stops its private PostgreSQL itself
    wait "$serve_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

"$SURGE" serve --data-dir "$work/postgres" --port "$port" --seed-products 2000 > "$work/serve.log" 2>&1 &
serve_pid=$!
for _ in $(seq 1 240); do
  if curl -fsS "$base/health/ready" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$serve_pid" 2>/dev/null; then
    echo "fuzz-api: surge serve exited before it was ready:" >&2; cat "$work/serve.log" >&2; exit 1
  fi
  sleep 0.5
done
curl -fsS "$base/health/ready" >/dev/null || { echo "fuzz-api: the store was not ready after 120 s" >&2; cat "$work/serve.log" >&2; exit 1; }

# Checks: all of them (Schemathesis's default; .ci/schemathesis.toml says where an expectation is
# widened and why). The stateful phase follows the document's links from POST /v1/carts, so carts are
# read, filled, changed and checked out with their real tokens.
# Operations: all documented ones, except
# - GET /dashboard/events: a Server-Sent Events stream that only ends when the client leaves; a
#   request to it would wait for the request timeout. (Without the admin token it is a 401 anyway,
#   which GET /dashboard, behind the same middleware, already covers.)
set +e
st --config-file .ci/schemathesis.toml run "$base/openapi.json" \
  --exclude-path /dashboard/events \
  --seed "$SEED" \
  --max-examples "$EXAMPLES" --max-time "$BUDGET" \
  --workers 2 --request-timeout 10 \
  --report junit --report-dir "$REPORT_DIR" \
  --no-color
status=$?
set -e
if grep -q 'unhandled error\|reached PostgreSQL unchecked' "$work/serve.log"; then
  echo "fuzz-api: the store logged requests it should have refused or handled:" >&2
  grep 'unhandled error\|reached PostgreSQL unchecked' "$work/serve.log" | tail -n 20 >&2
  [ "$status" -ne 0 ] || status=1
fi
exit "$status"
