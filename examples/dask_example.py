"""gojammy on a Dask cluster: a LocalCluster of worker processes (or pass the address of a real
cluster's scheduler) evaluates and samples a model over chunked dask arrays and trains it
data-parallel, the gradient reduction happening in Dask.

    python examples/dask_example.py                  # a LocalCluster with 2 workers
    python examples/dask_example.py tcp://host:8786  # an existing cluster
"""

import sys
import time

import dask.array as da
import numpy as np
from distributed import Client, LocalCluster

import gojammy
import gojammy.dask as gjd


def main():
    cluster = None if len(sys.argv) > 1 else LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None)
    client = Client(sys.argv[1] if len(sys.argv) > 1 else cluster)
    rng = np.random.default_rng(0)
    train = da.from_array(rng.normal(size=(200_000, 2)) * [1.0, 0.3], chunks=(50_000, 2))

    pdf = gojammy.pdf("e2", "gggg", seed=1)
    history = gjd.fit(pdf, train, steps=50, learning_rate=2e-2, client=client)
    print(f"data-parallel training: loss {history['loss'][0]:.4f} -> {history['loss'][-1]:.4f}")

    samples = gjd.sample(pdf, 2_000_000, chunk=250_000, seed=7)        # lazy, (2e6, 2)
    start = time.perf_counter()
    log_pdf = client.compute(gjd.log_pdf(pdf, samples)).result()
    seconds = time.perf_counter() - start
    print(f"sampled and evaluated {len(log_pdf):,} events on the cluster in {seconds:.2f} s "
          f"({len(log_pdf) / seconds:,.0f} events/s); mean log p = {log_pdf.mean():.4f}")
    client.close()
    if cluster is not None:
        cluster.close()


if __name__ == "__main__":
    main()
