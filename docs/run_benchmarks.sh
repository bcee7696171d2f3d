#!/usr/bin/env bash
# Measures gojammy and jammy_flows in one run on this machine and writes docs/benchmarks.md.
#
#   JF=/tmp/jf JF02=/tmp/jf_02 STUBS=../shared/reference/peer_stubs docs/run_benchmarks.sh
#
# JF / JF02 are work trees of jammy_flows at v1.1.0 and at 02ed589 (for the seed example's layer
# n), made as RUNNING_JAMMY_FLOWS.md describes; this script only imports them (Debian's
# python3-torch with /usr/bin/python3). Without JF it reuses docs/upstream_benchmarks.json.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp)
go test ./flowcore -run '^$' -bench 'LogDensity|Sample|TrainStep' -cpu 1,2 -benchtime 1s -timeout 60m | tee "$out"
if [ -n "${JF:-}" ]; then
    PYTHONPATH="$JF:${STUBS}" /usr/bin/python3 docs/bench_upstream.py docs/upstream_benchmarks.json head
    PYTHONPATH="$JF02:${STUBS}" /usr/bin/python3 docs/bench_upstream.py docs/upstream_benchmarks.json 02
    /usr/bin/python3 docs/bench_upstream.py docs/upstream_benchmarks.json md docs/upstream_benchmarks.md
fi
python3 docs/bench_table.py "$out" > docs/benchmarks.md
cp "$out" docs/go_benchmarks.txt
echo "wrote docs/benchmarks.md"
