"""An encoder trained end to end through a conditional flow, once with jammy_flows and once with
gojammy.torch: same data, same initial encoder and flow parameters, same batches, same Adam.
Reports the held-out log-likelihood of both (and of the true conditional density) and the time
per training step, and writes docs/torch_bridge.md.

Run with a Python that has torch (Debian's python3-torch for /usr/bin/python3) and jammy_flows
on its path (never installed by this repository):

    PYTHONPATH=python:/path/to/jammy_flows /usr/bin/python3 benchmarks/torch_bridge.py --steps 2000
"""

import argparse
import copy
import math
import os
import pathlib
import sys
import time

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import models  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]


class Config:
    """The flow of the comparison: a 1-d Gaussianization flow conditioned on 4 encoder features."""

    pdf_defs, flow_defs, cond_dim = "e1", "gg", 4

    @staticmethod
    def kwargs():
        return {"conditional_input_dim": 4}


def data(n, rng):
    """d uniform on [-1, 1]², x | d ~ N(sin 2d₀ + d₁/2, (0.2 + 0.3|d₀|)²); returns d, x and the
    true conditional log-density of each row."""
    d = rng.uniform(-1, 1, size=(n, 2))
    mu, sigma = np.sin(2 * d[:, 0]) + 0.5 * d[:, 1], 0.2 + 0.3 * np.abs(d[:, 0])
    x = mu + sigma * rng.normal(size=n)
    true = -0.5 * ((x - mu) / sigma) ** 2 - np.log(sigma) - 0.5 * math.log(2 * math.pi)
    return d, x[:, None], true


def train(torch, flow, encoder, d, x, steps, batch, rng_seed):
    """Adam on encoder and flow together; returns seconds per step."""
    optimizer = torch.optim.Adam(list(encoder.parameters()) + list(flow.parameters()), lr=1e-2)
    rng = np.random.default_rng(rng_seed)
    start = time.perf_counter()
    for _ in range(steps):
        idx = torch.as_tensor(rng.integers(0, d.shape[0], batch))
        loss = -flow(x[idx], conditional_input=encoder(d[idx]))[0].mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return (time.perf_counter() - start) / steps


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--steps", type=int, default=2000)
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--out", default=str(ROOT / "docs" / "torch_bridge.md"))
    args = ap.parse_args()
    upstream = models.import_jammy_flows()
    if upstream is None:
        sys.exit("jammy_flows (and torch) must be importable: put its source tree on PYTHONPATH")
    jammy_flows, torch, commit = upstream
    import gojammy
    import gojammy.torch as gjt

    torch.set_num_threads(args.threads)
    gojammy.set_threads(args.threads)
    rng = np.random.default_rng(7)
    d, x, true = data(8000, rng)
    n_train = 6000
    d_t, x_t = torch.tensor(d), torch.tensor(x)

    reference = models.JammyFlows(jammy_flows, torch, Config)
    torch.manual_seed(0)
    encoder = torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.Tanh(), torch.nn.Linear(16, 4)).double()
    flows = {"jammy_flows": reference.pdf, "gojammy.torch": gjt.pdf("e1", "gg", conditional_input_dim=4, seed=0)}
    flows["gojammy.torch"].params.data.copy_(torch.from_numpy(reference.params))
    rows = []
    for name, flow in flows.items():
        enc = copy.deepcopy(encoder)
        per_step = train(torch, flow, enc, d_t[:n_train], x_t[:n_train], args.steps, args.batch, 11)
        with torch.no_grad():
            held_out = flow(x_t[n_train:], conditional_input=enc(d_t[n_train:]))[0].mean().item()
        rows.append((name, held_out, per_step))
        print(f"{name}: held-out log-likelihood {held_out:.4f}, {per_step * 1e3:.2f} ms/step")
    truth = float(true[n_train:].mean())
    lines = [
        "# An encoder trained through the flow: gojammy.torch beside jammy_flows",
        "",
        "Written by `benchmarks/torch_bridge.py` (see its docstring). A two-layer encoder",
        "(Linear 2→16, tanh, Linear 16→4) and the conditional flow `\"e1\",\"gg\"` (conditional input:",
        "the 4 encoder features, MLP \"128\") trained together with Adam (lr 1e-2) on 6,000 events of",
        "x | d ~ N(sin 2d₀ + d₁/2, (0.2 + 0.3|d₀|)²), d uniform on [-1, 1]², then evaluated on 2,000",
        "held-out events. Both runs start from the same encoder and flow parameters and draw the same",
        f"batches ({args.steps} steps of {args.batch}); float64, {args.threads} thread(s);",
        f"jammy_flows `{commit[:10]}`, torch {torch.__version__}, gojammy {gojammy.__version__}.",
        "",
        "| flow | held-out log-likelihood (nats/event) | ms per training step |",
        "|---|---|---|",
    ]
    lines += [f"| {name} | {ll:.4f} | {t * 1e3:.2f} |" for name, ll, t in rows]
    lines += [f"| true conditional density | {truth:.4f} | – |", ""]
    lines.append(f"Difference gojammy − jammy_flows: {rows[1][1] - rows[0][1]:+.4f} nats; "
                 f"training step ratio jammy_flows/gojammy: {rows[0][2] / rows[1][2]:.2f}x.")
    pathlib.Path(args.out).write_text("\n".join(lines) + "\n")
    print(f"wrote {os.path.relpath(args.out)}")


if __name__ == "__main__":
    main()
