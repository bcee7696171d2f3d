#!/usr/bin/env python3
"""Generate gojammy's reference fixtures for conditional PDFs from the Python package jammy_flows:
list conditional_input_dim, per-sub-manifold amortization_mlp_dims and the custom MLP
(amortization_mlp_use_custom_mode=True: AmortizableMLP with amortization_mlp_ranks and
amortization_mlp_highway_mode 0-4).

A sibling of gen_upstream.py (same conventions: jammy_flows is imported from PYTHONPATH, never
copied here; only measured numbers are written). Run with Debian's python3-torch, float64:
    PYTHONPATH=/tmp/jf /usr/bin/python3 gen_amortized.py OUTDIR
It writes OUTDIR/amortized/<name>.json per configuration and OUTDIR/counts/amortized.json.

Per configuration file:
  name, pdf_defs, flow_defs, options, kwargs (the constructor's conditioning arguments, with
  upstream's names; a list conditional_input_dim holds 0 for "no conditional input": gojammy's
  None), count (count_parameters), params (flat vector in gojammy's order: the layer blocks of an
  unconditional sub-manifold 0, then per sub-manifold with an MLP its parameters: default MLP per
  Linear weight (out x in, row-major) then bias; custom MLP its flat u_v_b_pars), cond (one row per
  event: the sub-manifolds' conditional inputs concatenated in sub-manifold order, as gojammy
  takes them), cond_scale, x (intrinsic coordinates: samples drawn with cond, then the same samples
  paired with the conditional rows in reverse order), log_pdf, base_log_pdf, base,
  sample_log_pdf, max_abs_sample_vs_eval_log_pdf, upstream_commit, torch_version.
The parameters are upstream's init_params() state perturbed (every MLP entry + 0.05*N(0,1), the
linear highway's weights then x0.002 as it sees the scaled inputs directly, final biases
+ 0.1*N(0,1)), so that weights and conditional inputs matter.
counts/amortized.json lists count_parameters() of further configurations. (Highway modes >= 1
without hidden layers crash upstream in init_params, an IndexError on the empty list of sub-MLPs,
so none is listed; gojammy builds the linear highway alone there.)
"""
import json
import os
import sys

import numpy as np
import torch

import jammy_flows
from jammy_flows.amortizable_mlp import AmortizableMLP

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_upstream import upstream_commit  # noqa: E402 - the sibling generator, same folder

torch.set_default_dtype(torch.float64)

CUSTOM = {"amortization_mlp_use_custom_mode": True, "amortization_mlp_ranks": "2-10-1000"}

# name, pdf_defs, flow_defs, kwargs, scale of the conditional inputs
CONFIGS = [
    ("e2_gg_c3", "e2", "gg", {"conditional_input_dim": 3}, 1.0),
    ("e2s2_list", "e2+s2", "gg+f", {"conditional_input_dim": [2, 3], "amortization_mlp_dims": ["64", "32-16"]}, 1.0),
    ("e2s2_list_none", "e2+s2", "gg+f", {"conditional_input_dim": [2, 0]}, 1.0),
    ("i1e1_list_x100", "i1_-1.0_1.0+e1", "r+g", {"conditional_input_dim": [1, 2], "amortization_mlp_dims": ["16", ""]}, 100.0),
    ("e2s2_custom_h0", "e2+s2", "gg+f", dict(CUSTOM, conditional_input_dim=2, amortization_mlp_dims="64-30",
                                             amortization_mlp_highway_mode=0), 100.0),
] + [
    (f"e2s2_custom_h{h}", "e2+s2", "gg+f", dict(CUSTOM, conditional_input_dim=2, amortization_mlp_dims="64",
                                                amortization_mlp_highway_mode=h), 100.0)
    for h in (1, 2, 3, 4)
] + [
    ("e1s2_custom_list", "e1+s2", "g+f", {"conditional_input_dim": [2, 1], "amortization_mlp_dims": ["64-30", "16"],
                                          "amortization_mlp_use_custom_mode": True,
                                          "amortization_mlp_ranks": ["2-10-1000", 3],
                                          "amortization_mlp_highway_mode": 0}, 1.0),
    ("e2_custom_full_h4", "e2", "gg", {"conditional_input_dim": 3, "amortization_mlp_dims": "8-8",
                                       "amortization_mlp_use_custom_mode": True, "amortization_mlp_ranks": 0,
                                       "amortization_mlp_highway_mode": 4}, 1.0),
]

# name, pdf_defs, flow_defs, kwargs (parameter counts only)
COUNTS = [
    ("e2", "gg", {"conditional_input_dim": 3}),
    ("e2+s2", "gg+f", {"conditional_input_dim": [2, 3], "amortization_mlp_dims": ["64", "32-16"]}),
    ("e2+s2", "gg+f", {"conditional_input_dim": [4, 0]}),
] + [
    ("e2", "gg", {"conditional_input_dim": 3, "amortization_mlp_use_custom_mode": True,
                  "amortization_mlp_dims": dims, "amortization_mlp_ranks": ranks, "amortization_mlp_highway_mode": h})
    for dims, ranks, hs in [("128", 0, (0, 1, 2, 3, 4)), ("128", 5, (0, 1, 2, 3, 4)), ("64-30", "2-10-1000", (0,)),
                            ("64", "2-10-1000", (1, 2, 3, 4)), ("64-64", "0-3-0-3-1", (2, 3, 4)),
                            ("", 2, (0,)), ("32-32", -1, (0, 1, 3))]
    for h in hs
] + [
    ("e1+s2+i1", "g+f+r", {"conditional_input_dim": [2, 3, 0], "amortization_mlp_use_custom_mode": True,
                           "amortization_mlp_dims": ["16", "64-30", ""], "amortization_mlp_ranks": [3, "2-10-1000", 0],
                           "amortization_mlp_highway_mode": 0}),
]


def floats(t):
    return t.detach().double().reshape(-1).numpy().tolist() if torch.is_tensor(t) else list(t)


def perturb_and_flatten(pdf, rng):
    """Perturbs every MLP's parameters and returns the flat vector in gojammy's order."""
    flat = []
    for k, mlp in enumerate(pdf.mlp_predictors):
        if mlp is None:
            if k == 0:
                for layer in pdf.layer_list[0]:
                    if layer.get_total_param_num() > 0:
                        flat += floats(layer.get_desired_init_parameters())
            continue
        n_out = sum(pdf.num_parameter_list[k])
        with torch.no_grad():
            if isinstance(mlp, AmortizableMLP):
                uvb = mlp.u_v_b_pars
                uvb[0, :] += 0.05 * torch.from_numpy(rng.standard_normal(uvb.shape[1]))
                if "linear_highway" in mlp.sub_mlp_structures:
                    # the linear highway sees the (scaled) inputs directly: keep its weights small
                    n_hw = mlp.sub_mlp_structures["linear_highway"]["num_params"]
                    uvb[0, -n_hw:-n_out] *= 0.002
                uvb[0, -n_out:] += 0.1 * torch.from_numpy(rng.standard_normal(n_out))
                flat += floats(uvb)
                continue
            for lin in [m for m in mlp.modules() if isinstance(m, torch.nn.Linear)]:
                lin.weight.add_(0.05 * torch.from_numpy(rng.standard_normal(tuple(lin.weight.shape))))
                lin.bias.add_(0.1 * torch.from_numpy(rng.standard_normal(tuple(lin.bias.shape))))
                flat += floats(lin.weight) + floats(lin.bias)
    return np.array(flat)


def conditional_inputs(kwargs, n, scale, rng):
    """Upstream's conditional_input (a tensor or a list of tensors) and gojammy's concatenated rows."""
    cd = kwargs["conditional_input_dim"]
    if isinstance(cd, int):
        c = torch.from_numpy(rng.standard_normal((n, cd)) * scale)
        return c, c
    parts = [torch.from_numpy(rng.standard_normal((n, d)) * scale) for d in cd]
    return parts, torch.cat(parts, dim=1)


def reversed_rows(cond):
    if isinstance(cond, list):
        return [c.flip(0) for c in cond]
    return cond.flip(0)


def run_one(idx, name, pd, fd, kwargs, scale, outdir):
    torch.manual_seed(200 + idx)
    rng = np.random.default_rng(200 + idx)
    pdf = jammy_flows.pdf(pd, fd, **kwargs)
    pdf.double()
    flat = perturb_and_flatten(pdf, rng)
    assert flat.size == int(pdf.count_parameters()), (name, flat.size, pdf.count_parameters())
    n = 30
    cond, rows = conditional_inputs(kwargs, n, scale, rng)
    with torch.no_grad():
        xs, _, lps, _ = pdf.sample(conditional_input=cond, samplesize=n, seed=11 + idx)
        x = torch.cat([xs, xs], dim=0)
        both = [torch.cat([a, b], dim=0) for a, b in zip(cond, reversed_rows(cond))] if isinstance(cond, list) \
            else torch.cat([cond, reversed_rows(cond)], dim=0)
        lp, blp, base = pdf(x, conditional_input=both)
    assert bool(torch.isfinite(lp).all()), name
    rec = {
        "name": name, "pdf_defs": pd, "flow_defs": fd, "options": {}, "kwargs": kwargs,
        "count": int(pdf.count_parameters()),
        "params": flat.tolist(),
        "cond": torch.cat([rows, rows.flip(0)], dim=0).numpy().tolist(),
        "cond_scale": scale,
        "x": x.numpy().tolist(),
        "log_pdf": lp.numpy().tolist(),
        "base_log_pdf": blp.numpy().tolist(),
        "base": base.numpy().tolist(),
        "sample_log_pdf": lps.numpy().tolist(),
        "max_abs_sample_vs_eval_log_pdf": float((lp[:n] - lps).abs().max()),
        "upstream_commit": upstream_commit(),
        "torch_version": torch.__version__,
    }
    with open(os.path.join(outdir, "amortized", name + ".json"), "w") as f:
        json.dump(rec, f, separators=(",", ":"))
        f.write("\n")
    print(f"{name:22s} count={rec['count']:7d} log_pdf in [{float(lp.min()):.3g}, {float(lp.max()):.3g}] "
          f"sample_vs_eval={rec['max_abs_sample_vs_eval_log_pdf']:.2e}", flush=True)


def counts(outdir):
    out = []
    for pd, fd, kwargs in COUNTS:
        torch.manual_seed(0)
        pdf = jammy_flows.pdf(pd, fd, **kwargs)
        out.append({"pdf_defs": pd, "flow_defs": fd, "kwargs": kwargs, "count": int(pdf.count_parameters())})
        print(pd, fd, kwargs, out[-1]["count"], flush=True)
    with open(os.path.join(outdir, "counts", "amortized.json"), "w") as f:
        json.dump({"upstream_commit": upstream_commit(), "torch_version": torch.__version__, "counts": out}, f, indent=1)
        f.write("\n")


def main():
    outdir = sys.argv[1]
    for sub in ("amortized", "counts"):
        os.makedirs(os.path.join(outdir, sub), exist_ok=True)
    for idx, (name, pd, fd, kwargs, scale) in enumerate(CONFIGS):
        run_one(idx, name, pd, fd, kwargs, scale, outdir)
    counts(outdir)


if __name__ == "__main__":
    main()
