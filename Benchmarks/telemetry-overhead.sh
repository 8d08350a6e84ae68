#!/usr/bin/env bash
# Product-detail throughput with the telemetry on vs off, side by side in one run (release build,
# loopback, private PostgreSQL, wrk). Usage: Benchmarks/telemetry-overhead.sh [seconds] [rounds] [connections]
# Defaults: 8 s per run, 3 rounds, 16 connections (about a minute of load plus the build).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install -y wrk" >&2; exit 2; }
export PATH="/usr/lib/postgresql/15/bin:$PATH"
swift build -c release --product TelemetryOverhead >&2
"$(swift build -c release --show-bin-path)/TelemetryOverhead" "$@"
