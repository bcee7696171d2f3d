#!/usr/bin/env bash
# The full gojammy vs jammy_flows comparison: writes benchmarks/results.json and docs/benchmarks.md.
# Run it on a quiet machine (about 30 minutes on 2 cores):
#
#   JF=/tmp/jf JF02=/tmp/jf_02 benchmarks/run.sh
#
# JF / JF02 are work trees of jammy_flows at HEAD and at 02ed589 (the seed example's layer n), made
# as ../shared/reference/RUNNING_JAMMY_FLOWS.md describes; they are only imported, with Debian's
# /usr/bin/python3 and python3-torch. benchmarks/compare.py's docstring explains the method.
set -euo pipefail
cd "$(dirname "$0")/.."
make lib
/usr/bin/python3 benchmarks/compare.py --upstream-tree "${JF:-/tmp/jf}" --gemm
/usr/bin/python3 benchmarks/compare.py --upstream-tree "${JF02:-/tmp/jf_02}"
PYTHONPATH="${JF:-/tmp/jf}" /usr/bin/python3 benchmarks/stats_compare.py  # statistics: a table for docs/benchmarks.md
