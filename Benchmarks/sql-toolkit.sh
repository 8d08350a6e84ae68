#!/usr/bin/env bash
# The SQL toolkit against libpg_query (PostgreSQL 15's parser as a C library), on real statements:
# TPC-H, the store's own statements and migrations, the advisor's test workloads. Prints, per
# workload, how many statements PostgreSQL's parser accepts and what a fingerprint costs with each
# (ns per statement, the mean over the workload), and what the hot path pays (a cached lookup:
# the store fingerprints a statement text once). Bounded: each statement is fingerprinted ROUNDS times.
# Usage: Benchmarks/sql-toolkit.sh [rounds, default 200]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-200}
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || { echo "the argument is the rounds per statement, a positive integer, e.g. 200" >&2; exit 2; }
[ -f /usr/include/pg_query.h ] || { echo "libpg_query is not installed: apt-get install -y libpg-query-dev" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 Benchmarks/SQLToolkit/extract_corpus.py . > "$work/corpus"
gcc -O2 -o "$work/pgquery" Benchmarks/SQLToolkit/pgquery_bench.c -lpg_query
# The toolkit's files compiled on their own with -O (no package build): the same source the store runs.
mkdir "$work/swift"
for file in Sources/Database/SQL/*.swift Sources/Reproducible/FNV1a.swift; do
  grep -v '^import Reproducible$' "$file" > "$work/swift/$(basename "$file")"
done
cp Benchmarks/SQLToolkit/FingerprintBench.swift "$work/swift/main.swift"
swiftc -O -o "$work/toolkit" "$work/swift"/*.swift

"$work/pgquery" "$rounds" < "$work/corpus" > "$work/pgquery.tsv"
"$work/toolkit" "$rounds" < "$work/corpus" > "$work/toolkit.tsv"
echo "date: $(date -u +%FT%TZ)  machine: $(nproc) cores, $(uname -m)  rounds: $rounds"
printf '%-14s %10s %14s %18s %18s %16s\n' workload statements "pg parses" "pg_query fp ns" "toolkit fp ns" "cached ns (hot)"
join -t $'\t' <(grep -v '^unparsed' "$work/pgquery.tsv" | sort) <(sort "$work/toolkit.tsv") |
  awk -F'\t' '{ printf "%-14s %10d %14s %18d %18d %16d\n", $1, $2, $3 "/" $2, $4, $8, $9 }'
echo
echo "statements PostgreSQL's parser refuses (workload, message, first line):"
grep '^unparsed' "$work/pgquery.tsv" | cut -f2- || echo "(none)"
