#!/usr/bin/env python3
"""Two-moons training with upstream jammy_flows (imported from PYTHONPATH; not installed/built here).

Usage: PYTHONPATH=/tmp/jf:<peer_stubs> /usr/bin/python3 two_moons_upstream.py DATA_DIR OUT.json [SEEDS]
SEEDS: comma-separated model seeds (default 1,2,3,4,5).

"e2","gggg", float64, one thread, model seed s (torch.manual_seed(s) before construction), Adam lr 1e-2,
2000 steps of batch 500; batches: per epoch a numpy default_rng(s) permutation of the 20000 training rows
cut into 40 consecutive batches (without replacement within an epoch). Loss = -mean log p.
Variants: default init, and init_params(data=train) after construction. Reports held-out mean
log-likelihood (5000 test rows) and wall ms/step (training loop only). Seed 1 is the headline; means over all seeds.
"""
import hashlib
import json
import os
import sys
import time

import numpy as np
import torch
import jammy_flows

torch.set_default_dtype(torch.float64)
torch.set_num_threads(1)


def load(d, name, n):
    raw = open(os.path.join(d, name), "rb").read()
    return np.frombuffer(raw, dtype="<f8").reshape(n, 2).copy(), raw


def train(train_x, test_x, seed, data_init, steps=2000, batch=500, lr=1e-2):
    torch.manual_seed(seed)
    pdf = jammy_flows.pdf("e2", "gggg")
    pdf.double()
    tr = torch.from_numpy(train_x)
    te = torch.from_numpy(test_x)
    if data_init:
        pdf.init_params(data=tr)
    with torch.no_grad():
        ll0 = float(pdf(te)[0].mean())
    opt = torch.optim.Adam(pdf.parameters(), lr=lr)
    rng = np.random.default_rng(seed)
    n = tr.shape[0]
    per_epoch = n // batch
    perm = None
    curve = []
    t0 = time.perf_counter()
    for step in range(steps):
        k = step % per_epoch
        if k == 0:
            perm = rng.permutation(n)
        idx = torch.from_numpy(perm[k * batch:(k + 1) * batch])
        xb = tr[idx]
        opt.zero_grad()
        loss = -pdf(xb)[0].mean()
        loss.backward()
        opt.step()
        if (step + 1) % 500 == 0:
            t_pause = time.perf_counter()
            with torch.no_grad():
                curve.append([step + 1, float(pdf(te)[0].mean())])
            t0 += time.perf_counter() - t_pause  # exclude evaluation from the step timing
    elapsed = time.perf_counter() - t0
    with torch.no_grad():
        ll = float(pdf(te)[0].mean())
    return {"seed": seed, "data_init": data_init, "loadavg_1min_after": os.getloadavg()[0], "test_mean_loglik": ll, "test_mean_loglik_at_init": ll0,
            "ms_per_step": elapsed / steps * 1e3, "curve_test_loglik": curve}


def main():
    d, out = sys.argv[1], sys.argv[2]
    train_x, raw_tr = load(d, "two_moons_train_20000x2_f64le.bin", 20000)
    test_x, raw_te = load(d, "two_moons_test_5000x2_f64le.bin", 5000)
    sha = hashlib.sha256(raw_tr + raw_te).hexdigest()
    seeds = [int(s) for s in (sys.argv[3] if len(sys.argv) > 3 else "1,2,3,4,5").split(",")]
    runs = []
    for seed in seeds:
        for data_init in (False, True):
            r = train(train_x, test_x, seed, data_init)
            print(json.dumps(r), flush=True)
            runs.append(r)
    def pick(di):
        v = [r["test_mean_loglik"] for r in runs if r["data_init"] == di]
        return {"mean": float(np.mean(v)), "std": float(np.std(v, ddof=1)), "values": v}
    res = {
        "config": {"pdf_defs": "e2", "flow_defs": "gggg", "dtype": "float64", "threads": 1, "optimizer": "Adam",
                   "lr": 1e-2, "steps": 2000, "batch": 500,
                   "batching": "per epoch numpy default_rng(seed).permutation(20000), 40 consecutive batches",
                   "model_seed": "torch.manual_seed(seed) before construction"},
        "data_sha256_train_then_test": sha,
        "headline_seed1": {
            "default_init": next(r for r in runs if r["seed"] == 1 and not r["data_init"]),
            "init_params_data_train": next(r for r in runs if r["seed"] == 1 and r["data_init"]),
        },
        "over_seeds": {"seeds": seeds, "default_init": pick(False), "init_params_data_train": pick(True)},
        "readme_reference": {"default_init_seed1": -1.092, "three_seeds": "-1.101 +- 0.02",
                             "data_init": -1.091, "ms_per_step": 11, "true_density": -1.022},
        "upstream": "jammy_flows " + os.path.dirname(os.path.abspath(jammy_flows.__file__)),
        "torch_version": torch.__version__,
        "all_runs": runs,
    }
    with open(out, "w") as f:
        json.dump(res, f, indent=1)


if __name__ == "__main__":
    main()
