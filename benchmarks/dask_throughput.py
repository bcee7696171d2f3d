#!/usr/bin/env python3
"""Throughput of gojammy.dask: the log-density of many events over a chunked dask array on a
LocalCluster with 1 and 2 worker processes (one thread each, engine included), beside in-process evaluation with 1
and 2 threads. Merges the numbers into benchmarks/results.json (key "dask") and re-renders
docs/benchmarks.md. Run it on a quiet machine, from the repository root, with the project's venv:

    .venv/bin/python benchmarks/dask_throughput.py
"""

import datetime
import json
import sys
import time
from pathlib import Path

import dask.array as da
import numpy as np
from distributed import Client, LocalCluster

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))
import report  # noqa: E402

import gojammy  # noqa: E402
import gojammy.dask as gjd  # noqa: E402

EVENTS, CHUNKS, CONFIG = 2_000_000, 8, ("e2", "gggg")


def best_of(fn, repeats=3):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main():
    pdf = gojammy.pdf(*CONFIG, seed=1)
    x = np.random.default_rng(0).normal(size=(EVENTS, 2))
    rates = {}
    for workers in (1, 2):
        with LocalCluster(n_workers=workers, threads_per_worker=1, dashboard_address=None) as cluster, Client(cluster) as client:
            client.run(gojammy.set_threads, 1)  # one engine thread per worker process
            arr = client.persist(da.from_array(x, chunks=(EVENTS // CHUNKS, 2)))
            client.compute(gjd.log_pdf(pdf, arr)).result()  # warm-up: workers load the library
            rates[f"{workers} worker" + ("s" if workers > 1 else "")] = EVENTS / best_of(
                lambda: client.compute(gjd.log_pdf(pdf, arr)).result())
    for threads in (1, 2):
        gojammy.set_threads(threads)
        rates[f"in process, {threads} thread" + ("s" if threads > 1 else "")] = EVENTS / best_of(lambda: pdf(x))
    path = REPO / "benchmarks" / "results.json"
    data = json.loads(path.read_text())
    data["dask"] = {"command": "benchmarks/dask_throughput.py", "date": datetime.date.today().isoformat(),
                    "events": EVENTS, "chunks": CHUNKS, "config": f"{CONFIG[0]}:{CONFIG[1]}", "rates": rates}
    path.write_text(json.dumps(data, indent=1) + "\n")
    (REPO / "docs" / "benchmarks.md").write_text(report.render(data, "benchmarks/results.json") + "\n")
    for where, rate in rates.items():
        print(f"{where}: {rate:,.0f} events/s")


if __name__ == "__main__":
    main()
