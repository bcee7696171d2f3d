#!/usr/bin/env python3
"""Generate the state-dict fixtures of gojammy's jammy_flows import (python/tests/test_jammy_import.py).

jammy_flows is NOT part of this repository; it is imported from PYTHONPATH (a scratch worktree of
github.com/thoglu/jammy_flows): v1.1 (cd400da) for most configurations, 02ed589 for the layer `n`.

    PYTHONPATH=/tmp/jf    /usr/bin/python3 gen_state_dicts.py OUTDIR head
    PYTHONPATH=/tmp/jf_02 /usr/bin/python3 gen_state_dicts.py OUTDIR 02
Optional third argument: comma-separated names of the configurations to (re)generate.

For each configuration it builds the jammy_flows pdf in float64, adds random noise to every
parameter tensor (so that no value is a default), and writes OUTDIR/<name>.npz with
  state/<state-dict name>   every tensor of pdf.state_dict()
  x, cond_<k>               evaluation points (model samples) and conditional inputs (one per
                            sub-manifold for a list conditional_input_dim, else cond_0)
  log_pdf                   upstream's log-density there
and OUTDIR/<name>.json with the constructor arguments, the upstream commit and a probe of every
unconditional layer: distinct values 1000+i are written through layer.init_params and each
parameter/buffer is read back, giving per tensor the init-vector range it is a plain copy of
(or the count of entries that are not).
"""
import copy
import json
import os
import subprocess
import sys

import numpy as np
import torch

import jammy_flows

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_upstream import R_RECOMMENDED_F  # noqa: E402 - the recommended f options, shared

torch.set_default_dtype(torch.float64)


# name -> jammy_flows.pdf arguments (options with letter keys only, so that they survive JSON)
CONFIGS = {
    "head": {
        "e1_g": dict(pdf_defs="e1", flow_defs="g"),
        "e3_gggg": dict(pdf_defs="e3", flow_defs="gggg"),
        "e3_g_angles": dict(pdf_defs="e3", flow_defs="g", options_overwrite={"g": {"rotation_mode": "angles"}}),
        "e3_g_triangular": dict(pdf_defs="e3", flow_defs="g",
                                options_overwrite={"g": {"rotation_mode": "triangular_combination"}}),
        "e2_g_skew_center": dict(pdf_defs="e2", flow_defs="gg",
                                 options_overwrite={"g": {"add_skewness": 1, "center_mean": 1}}),
        "e2_g_rq_splines": dict(pdf_defs="e2", flow_defs="g",
                                options_overwrite={"g": {"nonlinear_stretch_type": "rq_splines"}}),
        "e3_t_full": dict(pdf_defs="e3", flow_defs="gt", options_overwrite={"t": {"cov_type": "full"}}),
        "e3_t_diagonal_symmetric": dict(pdf_defs="e3", flow_defs="t",
                                        options_overwrite={"t": {"cov_type": "diagonal_symmetric"}}),
        "e2_x_offset": dict(pdf_defs="e2", flow_defs="gx", options_overwrite={"x": {"add_offset": 1}}),
        "i1_r": dict(pdf_defs="i1", flow_defs="r"),
        "i1_rr_fixfirst": dict(pdf_defs="i1_-1.0_1.0", flow_defs="rr",
                               options_overwrite={"r": {"fix_first_width_n_height_to_zero": 1,
                                                        "independent_width_height_parametrization": 1}}),
        "s1_m": dict(pdf_defs="s1", flow_defs="m"),
        "s1_o": dict(pdf_defs="s1", flow_defs="oo"),
        "s2_fff_recommended": dict(pdf_defs="s2", flow_defs="fff", options_overwrite={"f": dict(R_RECOMMENDED_F)}),
        "s2_v": dict(pdf_defs="s2", flow_defs="v"),
        "s2_y_rot": dict(pdf_defs="s2", flow_defs="yf", options_overwrite={"y": {"add_rotation": 1}}),
        "e2s2_gg_f": dict(pdf_defs="e2+s2", flow_defs="gg+f", amortization_mlp_dims="32"),
        "e2_gt_cond": dict(pdf_defs="e2", flow_defs="gt", conditional_input_dim=3, amortization_mlp_dims="32-16"),
        "e2_g_cayley_cond": dict(pdf_defs="e2", flow_defs="g", options_overwrite={"g": {"rotation_mode": "cayley"}},
                                 conditional_input_dim=2, amortization_mlp_dims="16"),
        "e1s1i1_listcond": dict(pdf_defs="e1+s1+i1", flow_defs="g+m+r", conditional_input_dim=[2, 1, 3],
                                amortization_mlp_dims=["16", "8-8", "16"]),
        "e2s2_custom_hw1": dict(pdf_defs="e2+s2", flow_defs="g+v", conditional_input_dim=2,
                                amortization_mlp_dims="32-32", amortization_mlp_use_custom_mode=True,
                                amortization_mlp_ranks=3, amortization_mlp_highway_mode=1),
        "e2_custom_hw3": dict(pdf_defs="e2+i1", flow_defs="gg+r", conditional_input_dim=1,
                              amortization_mlp_dims="16-16", amortization_mlp_use_custom_mode=True,
                              amortization_mlp_ranks="2-4-2-3-2", amortization_mlp_highway_mode=3),
        "e2s1_custom_uncond": dict(pdf_defs="e2+s1", flow_defs="g+o", amortization_mlp_dims="16",
                                   amortization_mlp_use_custom_mode=True, amortization_mlp_ranks=2,
                                   amortization_mlp_highway_mode=2),
        "i1e1_zr_g": dict(pdf_defs="i1+e1", flow_defs="zr+g", amortization_mlp_dims="8"),
        "e2_hh_skew": dict(pdf_defs="e2", flow_defs="hh", options_overwrite={"h": {"add_skewness": 1}}),
        "a2_w": dict(pdf_defs="a2", flow_defs="w"),
        "a2_u": dict(pdf_defs="a2", flow_defs="u"),
        "a2e1_w_g": dict(pdf_defs="a2+e1", flow_defs="w+g", amortization_mlp_dims="8"),
        # needs torchdiffeq on PYTHONPATH
        "s2_c": dict(pdf_defs="s2", flow_defs="c", options_overwrite={"c": {"rtol": 1e-10, "atol": 1e-10}}),
    },
    "02": {
        "s2_n": dict(pdf_defs="s2", flow_defs="n"),
        "s2_n_highway3": dict(pdf_defs="s2", flow_defs="n",
                              options_overwrite={"n": {"highway_mode": 3, "hidden_dims": "16-16", "max_rank": 3}}),
        "s2_n_pg": dict(pdf_defs="s2", flow_defs="n", options_overwrite={"n": {"zenith_type_layers": "pg"}}),
        "s2_n_cond": dict(pdf_defs="s2", flow_defs="n", conditional_input_dim=2, amortization_mlp_dims="16"),
        "e4s2e4_seed": dict(pdf_defs="e4+s2+e4", flow_defs="gggg+n+gggg"),
    },
}

NUM_POINTS = 30


def perturb(pdf, rng):
    """Adds noise to every parameter: 0.3*N(0,1) to layer tensors; to conditioning MLPs 0.1*N(0,1)
    to biases and 0.05*N(0,1) to weights (the damped last weight: 0.02*N(0,1)); 0.02*N(0,1) to a
    custom MLP's flat row."""
    weights = [n for n in pdf.state_dict() if n.startswith("mlp_predictors.") and n.endswith(".weight")]
    last_weights = {[w for w in weights if w.split(".")[1] == k][-1] for k in {w.split(".")[1] for w in weights}}
    with torch.no_grad():
        for name, t in pdf.named_parameters():
            if not name.startswith("mlp_predictors."):
                scale = 0.3
            elif name.endswith(".bias"):
                scale = 0.1
            else:
                scale = 0.02 if name in last_weights or name.endswith("u_v_b_pars") else 0.05
            t.add_(scale * torch.from_numpy(rng.standard_normal(tuple(t.shape))))


def probe(pdf):
    """For each layer owning its parameters: which init-vector entries each tensor holds after
    init_params(1000 + arange(n)) (on a copy of the layer)."""
    out = []
    for k, layers in enumerate(pdf.layer_list):
        for j, layer in enumerate(layers):
            n = int(layer.get_total_param_num())
            tensors = list(layer.named_parameters()) + list(layer.named_buffers())
            if n == 0 or not tensors:
                continue
            trial = copy.deepcopy(layer)
            trial.init_params(1000.0 + torch.arange(n, dtype=torch.float64))
            for name, t in list(trial.named_parameters()) + list(trial.named_buffers()):
                v = t.detach().reshape(-1).double().numpy()
                idx = v - 1000.0
                copied = (idx >= 0) & (idx < n) & (idx == np.round(idx))
                start = int(idx[0]) if copied.all() and np.array_equal(idx, idx[0] + np.arange(v.size)) else None
                out.append({"sub_manifold": k, "layer": j, "letter": pdf.flow_defs_list[k][j], "tensor": name,
                            "numel": int(v.size), "init_start": start, "num_copied": int(copied.sum())})
    return out


def well_conditioned(pdf, x, cond, log_pdf, rng):
    """Mask of the rows fit for a 1e-10 comparison: log_pdf finite, moving by at most 1e-10 when
    x moves by 1e-14 relative and by at most 1e-11 when every parameter does (the polynomial
    zenith stretch `p` is that sensitive near its center)."""
    jittered = copy.deepcopy(pdf)
    for t in jittered.parameters():
        t.mul_(1 + 1e-14 * torch.from_numpy(rng.standard_normal(tuple(t.shape))))
    moved_x = pdf(x * (1 + 1e-14), conditional_input=cond)[0]
    moved_params = jittered(x, conditional_input=cond)[0]
    return (torch.isfinite(log_pdf) & ((moved_x - log_pdf).abs() <= 1e-10) &
            ((moved_params - log_pdf).abs() <= 1e-11)).numpy()


def upstream_commit():
    d = os.path.dirname(os.path.abspath(jammy_flows.__file__))
    return subprocess.check_output(["git", "-C", d, "rev-parse", "HEAD"], text=True).strip()


def conditional_inputs(args, rng):
    """The conditional inputs for NUM_POINTS rows: None, one array, or a list of arrays."""
    c = args.get("conditional_input_dim")
    if c is None:
        return None
    if isinstance(c, list):
        return [torch.from_numpy(rng.standard_normal((NUM_POINTS, d))) for d in c]
    return torch.from_numpy(rng.standard_normal((NUM_POINTS, c)))


def run_one(name, args, seed, outdir):
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    pdf = jammy_flows.pdf(**args)
    pdf.double()
    probes = probe(pdf)
    perturb(pdf, rng)
    cond = conditional_inputs(args, rng)
    with torch.no_grad():
        x = pdf.sample(conditional_input=cond, samplesize=NUM_POINTS, seed=seed)[0]
        log_pdf = pdf(x, conditional_input=cond)[0]
        keep = well_conditioned(pdf, x, cond, log_pdf, rng)
    arrays = {"state/" + k: v.detach().double().numpy() for k, v in pdf.state_dict().items()}
    arrays["x"] = x.numpy()[keep]
    arrays["log_pdf"] = log_pdf.numpy()[keep]
    conds = [] if cond is None else (cond if isinstance(cond, list) else [cond])
    for k, c in enumerate(conds):
        arrays[f"cond_{k}"] = c.numpy()[keep]
    np.savez_compressed(os.path.join(outdir, name + ".npz"), **arrays)
    meta = {"name": name, "args": args, "list_conditional": isinstance(cond, list),
            "count": int(pdf.count_parameters()), "rows": int(keep.sum()), "rows_dropped": int((~keep).sum()),
            "upstream_commit": upstream_commit(), "torch_version": torch.__version__, "seed": seed,
            "probe": probes}
    with open(os.path.join(outdir, name + ".json"), "w") as f:
        json.dump(meta, f, indent=1)
        f.write("\n")
    print(f"{name:24s} params={meta['count']:7d} rows={meta['rows']} dropped={meta['rows_dropped']}", flush=True)


def main():
    outdir, tag = sys.argv[1], sys.argv[2]
    only = set(sys.argv[3].split(",")) if len(sys.argv) > 3 else None
    os.makedirs(outdir, exist_ok=True)
    for idx, (name, args) in enumerate(CONFIGS[tag].items()):
        if only is None or name in only:
            run_one(name, args, 1000 + idx + (500 if tag == "02" else 0), outdir)


if __name__ == "__main__":
    main()
