#!/usr/bin/env python3
"""Call-overhead benchmark of the Python binding (a script, not a test).

    python python/tests/bench_overhead.py [--repeat N] [--json]

For a few models it measures, in microseconds per single-event call:
  pdf(x) 1 row   gojammy's pdf(x) on one row: argument checks, conversion, output allocation and
                 the library call
  bare ctypes    the bare gj_pdf_log_density call through ctypes with preallocated arrays
  in batch       the per-event cost inside one batch of 10,000 rows on one thread (the flow's own
                 cost without any per-call cost)
  binding        pdf(x) - bare ctypes: what the Python layer adds
  over flow      pdf(x) - in batch: everything a single-event call costs beyond the flow itself
                 (Python, ctypes and the library's per-call set-up); the target is < 30 us.
"""

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

try:
    import gojammy
except ImportError:  # run from a source checkout
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import gojammy
from gojammy import _api, _lib

MODELS = [("e2", "gggg"), ("e2+i1_-1.0_2.0", "gggg+r"), ("e1", "g")]


def best_per_call(fn, repeat, number):
    """The best (smallest) mean time per call over `repeat` runs of `number` calls, in seconds."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - t0) / number)
    return best


def measure(pdf_defs, flow_defs, repeat):
    pdf = gojammy.pdf(pdf_defs, flow_defs)
    samples = pdf.sample(samplesize=10000, seed=1)[0]
    row = samples[:1].copy()

    python = best_per_call(lambda: pdf(row), repeat, 2000)

    lib, h, d = _lib.lib(), pdf.handle, pdf.total_target_dim
    out = [np.empty(1), np.empty(1), np.empty((1, pdf.total_base_dim))]
    args = (h, row, 1, d, None, 0, _api.Coords(kind=_api.COORDS_SAVED), *out, out[2].size)
    ctypes_call = best_per_call(lambda: lib.gj_pdf_log_density(*args), repeat, 2000)

    gojammy.set_threads(1)
    try:
        batch = best_per_call(lambda: pdf(samples), max(3, repeat // 2), 3) / len(samples)
    finally:
        gojammy.set_threads(0)
    return {
        "model": f"{pdf_defs} {flow_defs}",
        "python_us": python * 1e6,
        "ctypes_us": ctypes_call * 1e6,
        "batch_per_event_us": batch * 1e6,
        "binding_overhead_us": (python - ctypes_call) * 1e6,
        "overhead_over_flow_cost_us": (python - batch) * 1e6,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = ap.parse_args()
    rows = [measure(p, f, args.repeat) for p, f in MODELS]
    if args.json:
        print(json.dumps({"info": gojammy.info(), "results": rows}, indent=1))
        return
    info = gojammy.info()
    print(f"gojammy {info['version']}, {info['cpu']}, kernels {info['kernel_implementation']}, numpy {np.__version__}")
    print(f"{'model':<24}{'pdf(x) 1 row':>14}{'bare ctypes':>13}{'in batch':>11}{'binding':>10}{'over flow':>11}   (us per event)")
    for r in rows:
        print(
            f"{r['model']:<24}{r['python_us']:>14.2f}{r['ctypes_us']:>13.2f}{r['batch_per_event_us']:>11.2f}"
            f"{r['binding_overhead_us']:>10.2f}{r['overhead_over_flow_cost_us']:>11.2f}"
        )


if __name__ == "__main__":
    main()
