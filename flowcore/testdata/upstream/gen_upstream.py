#!/usr/bin/env python3
"""Generate upstream-parity fixtures for gojammy from the Python package jammy_flows.

jammy_flows is NOT part of this repository and this script does not install or build it; it is
imported from PYTHONPATH (a scratch worktree of github.com/thoglu/jammy_flows). Two upstream
trees are needed: v1.1.0 (HEAD, cd400da) for most configurations and 02ed589 for the removed
sphere layer `n` (the README seed example).

The configurations of the layer c also need torchdiffeq (pip install --target DIR torchdiffeq;
add DIR to PYTHONPATH). Run (float64 everywhere; Debian python3-torch 1.13):
    PYTHONPATH=/tmp/jf:/path/to/peer_stubs    /usr/bin/python3 gen_upstream.py OUTDIR head
    PYTHONPATH=/tmp/jf_02:/path/to/peer_stubs /usr/bin/python3 gen_upstream.py OUTDIR 02
Optional third argument: comma-separated list of config names to (re)generate.

For each configuration it writes OUTDIR/<name>.json with
  pdf_defs, flow_defs, options (letter keys only), conditional_input_dim (null), amortization_mlp_dims,
  count (count_parameters), per_layer_counts, params (flat float64 vector in upstream order:
  sub-manifold 0 layer blocks in layer order as consumed by layer.init_params, perturbed by
  0.3*N(0,1) around the layer's desired init; each later sub-manifold: its MLP Linear layers in order,
  weight row-major (out x in) then bias, final weight x30 and all biases + 0.1*N(0,1)),
  x (intrinsic coordinates: model samples + hand-picked points), log_pdf, base_log_pdf, base,
  layer_info / inverse_function_types / layouts (where each flat parameter lands inside the layer,
  found by probing init_params with distinct values), param_structure (obtain_flow_param_structure
  names and shapes), notes, upstream_commit.
Failures are appended to OUTDIR/FAILURES.md.
"""
import json
import math
import os
import subprocess
import sys
import traceback

import numpy as np
import torch

import jammy_flows

torch.set_default_dtype(torch.float64)

R_RECOMMENDED_F = {
    "add_vertical_rq_spline_flow": 1, "spline_num_basis_functions": -1, "vertical_smooth": 1,
    "vertical_flow_defs": "rr", "circular_flow_defs": "oo", "vertical_fix_boundary_derivative": 1,
    "min_kappa": 1e-10, "kappa_prediction": "direct_log_real_bounded", "kappa_clamping": 0,
    "vertical_restrict_max_min_width_height_ratio": -1, "vertical_fix_first_width_n_height_to_zero": 1,
    "vertical_independent_width_height_parametrization": 1, "add_circular_rq_spline_flow": 1,
    "circular_add_rotation": 0, "vertical_also_fix_second_width_to_zero": 1, "rotation_mode": "householder",
}

# name, pdf_defs, flow_defs, options
CONFIGS = {
    "head": [
        ("e1_g", "e1", "g", {}),
        ("e3_gggg", "e3", "gggg", {}),
        ("e2_gggg", "e2", "gggg", {}),
        ("e1_gggt", "e1", "gggt", {}),
        ("e3_g_angles", "e3", "g", {"g": {"rotation_mode": "angles"}}),
        ("e3_g_triangular", "e3", "g", {"g": {"rotation_mode": "triangular_combination"}}),
        ("e3_g_norotation", "e3", "g", {"g": {"rotation_mode": "none"}}),
        ("e2_g_cayley", "e2", "g", {"g": {"rotation_mode": "cayley"}}),
        ("e2_gg_full_pade", "e2", "gg", {"g": {"inverse_function_type": "inormal_full_pade"}}),
        ("e2_gg_partly_crude", "e2", "gg", {"g": {"inverse_function_type": "inormal_partly_crude"}}),
        ("e2_gg_isigmoid", "e2", "gg", {"g": {"inverse_function_type": "isigmoid",
                                              "replace_first_sigmoid_with_icdf": 0}}),
        ("e1_g_skew", "e1", "g", {"g": {"add_skewness": 1}}),
        ("e2_g_center_mean", "e2", "g", {"g": {"center_mean": 1}}),
        ("e2_g_softplus_width", "e2", "g", {"g": {"softplus_for_width": 1}}),
        ("e2_g_clamp_widths", "e2", "g", {"g": {"clamp_widths": 1}}),
        ("e2_g_no_fit_norm", "e2", "g", {"g": {"fit_normalization": 0}}),
        ("e2_g_rq_splines", "e2", "g", {"g": {"nonlinear_stretch_type": "rq_splines"}}),
        ("e3_t_full", "e3", "t", {"t": {"cov_type": "full"}}),
        ("e3_t_diagonal", "e3", "t", {"t": {"cov_type": "diagonal"}}),
        ("e3_t_diagonal_symmetric", "e3", "t", {"t": {"cov_type": "diagonal_symmetric"}}),
        ("e2_x_offset", "e2", "x", {"x": {"add_offset": 1}}),
        ("i1_r", "i1", "r", {}),
        ("i1_r_smooth2", "i1", "r", {"r": {"smooth_second_derivative": 1, "num_basis_functions": 2}}),
        ("i1_r_smooth3", "i1", "r", {"r": {"smooth_second_derivative": 1, "num_basis_functions": 3}}),
        ("i1_r_fixbd", "i1", "r", {"r": {"fix_boundary_derivatives": 1.0}}),
        ("i1_r_ratio3", "i1", "r", {"r": {"restrict_max_min_width_height_ratio": 3.0}}),
        ("i1_r_fixfirst_indep", "i1", "r", {"r": {"fix_first_width_n_height_to_zero": 1,
                                                  "independent_width_height_parametrization": 1}}),
        ("i1m1_rr", "i1_-1.0_1.0", "rr", {}),
        ("e2i1e1_ggrg", "e2+i1_-1.0_1.0+e1", "gg+r+g", {}),
        ("e1e2e1_gg_g_ggg", "e1+e2+e1", "gg+g+ggg", {}),
        # spheres
        ("s1_m", "s1", "m", {}),
        ("s1_o", "s1", "o", {}),
        ("s2_f", "s2", "f", {}),
        ("s2_fff_recommended", "s2", "fff", {"f": dict(R_RECOMMENDED_F)}),
        ("s2_v", "s2", "v", {"v": {"exp_map_type": "exponential"}}),
        ("s2_y_rot", "s2", "y", {"y": {"add_rotation": 1}}),
        # the manifold ODE c needs torchdiffeq on PYTHONPATH; tight tolerances, so that upstream's
        # solution is accurate to ~1e-8 (at its defaults it errs by up to 1e-5)
        ("s2_c", "s2", "c", {"c": {"rtol": 1e-10, "atol": 1e-10}}),
        ("s2_c_rk4", "s2", "c", {"c": {"solver": "rk4", "step_size": 1.0 / 256, "cnf_network_hidden_dims": "16-16"}}),
        # ratio 3.0 with the default 5 bins is rejected upstream (needs ratio > K-1); valid variants:
        ("i1_r_ratio5", "i1", "r", {"r": {"restrict_max_min_width_height_ratio": 5.0}}),
        ("i1_r_ratio3_k3", "i1", "r", {"r": {"restrict_max_min_width_height_ratio": 3.0,
                                             "num_basis_functions": 3}}),
        # the deprecated Gaussianization block h
        ("e2_h", "e2", "h", {}),
        ("e3_hhh", "e3", "hhh", {}),
        ("e2_hh_skew", "e2", "hh", {"h": {"add_skewness": 1}}),
        ("e2_h_softplus_clamp", "e2", "h", {"h": {"softplus_for_width": 1, "clamp_widths": 1}}),
        ("e1e2_h_hh", "e1+e2", "h+hh", {}),
        # simplices (upstream's density direction lacks log 2 per skewed coordinate after the
        # first for d >= 3: fixture.LogPDFOffset; its sampling direction is wrong for d >= 2)
        ("a1_w", "a1", "w", {}),
        ("a2_w", "a2", "w", {}),
        ("a3_w", "a3", "w", {}),
        ("a1_u", "a1", "u", {}),
        ("a2_u", "a2", "u", {}),
    ],
    "02": [
        ("s2_n", "s2", "n", {}),
        ("e4s2e4_seed", "e4+s2+e4", "gggg+n+gggg", {}),
        # the zenith MLP (AmortizableMLP) in its highway modes
        ("s2_n_highway1", "s2", "n", {"n": {"highway_mode": 1}}),
        ("s2_n_highway2", "s2", "n", {"n": {"highway_mode": 2, "hidden_dims": "16-16"}}),
        ("s2_n_highway3", "s2", "n", {"n": {"highway_mode": 3, "hidden_dims": "16-16", "max_rank": 3}}),
        ("s2_n_highway4", "s2", "n", {"n": {"highway_mode": 4, "hidden_dims": "16-16"}}),
        # the polynomial stretch zenith layer p
        ("s2_n_p", "s2", "n", {"n": {"zenith_type_layers": "p"}}),
        ("s2_n_pp", "s2", "n", {"n": {"zenith_type_layers": "pp", "highway_mode": 2}}),
        ("s2_n_pg", "s2", "n", {"n": {"zenith_type_layers": "pg"}}),
    ],
}

LAYER_ATTRS = ["inverse_function_type", "model_offset", "rotation_mode", "nonlinear_stretch_type",
               "num_kde", "center_mean", "fit_normalization", "add_skewness", "householder_iter",
               "use_householder", "cov_type", "add_offset", "low_boundary", "high_boundary",
               "euclidean_to_interval_as_first", "euclidean_to_sphere_as_first", "add_rotation",
               "num_basis_functions", "natural_direction", "use_permanent_parameters",
               "always_parametrize_in_embedding_space", "exp_map_type", "kappa_prediction",
               "smooth_second_derivative", "fix_boundary_derivatives", "softplus_for_width",
               "clamp_widths", "width_smooth_saturation", "upper_bound_for_widths", "lower_bound_for_widths"]


def jsonable(v):
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        v = float(v)
        return v if math.isfinite(v) else repr(v)
    if isinstance(v, str) or v is None:
        return v
    if torch.is_tensor(v):
        return jsonable(v.detach().cpu().double().numpy().tolist()) if v.numel() > 1 else jsonable(v.item())
    if isinstance(v, (list, tuple)):
        return [jsonable(a) for a in v]
    if isinstance(v, np.ndarray):
        return jsonable(v.tolist())
    return repr(v)


def upstream_commit():
    d = os.path.dirname(os.path.abspath(jammy_flows.__file__))
    try:
        return subprocess.check_output(["git", "-C", d, "rev-parse", "HEAD"], text=True).strip()
    except Exception:
        return "unknown"


def _install_cayley_workaround():
    """Upstream gf_block._init_params crashes for rotation_mode="cayley" (it indexes the 1-d vector
    with [:, n] and never advances its counter), and the pdf constructor calls it, so an unconditional
    cayley pdf cannot even be built. Patch it at runtime (only for cayley) to write the layout the
    conditional (MLP) path reads: [cayley 1][means][log widths][log norms][skew]."""
    from jammy_flows.layers.euclidean import gaussianization_flow as gfm
    orig = gfm.gf_block._init_params
    if getattr(orig, "_gojammy_patched", False):
        return

    def patched(self, params):
        if getattr(self, "rotation_mode", None) != "cayley" or self.dimension < 2:
            return orig(self, params)
        v = params
        c = 0
        self.cayley_pars.data = v[c:c + self.num_cayley_pars].reshape(1, -1).clone()
        c += self.num_cayley_pars
        nm = self.total_param_num_means
        self.kde_means.data = v[c:c + nm].reshape(1, self.num_kde - self.center_mean, self.dimension).clone()
        c += nm
        nd = self.num_params_datapoints
        self.kde_log_widths.data = v[c:c + nd].reshape(1, self.num_kde, self.dimension).clone()
        c += nd
        if self.fit_normalization:
            self.kde_log_weights.data = v[c:c + nd].reshape(1, self.num_kde, self.dimension).clone()
            c += nd
        if self.add_skewness:
            self.kde_log_skew_exponents.data = v[c:c + nd].reshape(1, self.num_kde, self.dimension).clone()
            c += nd
        assert c == v.numel()

    patched._gojammy_patched = True
    gfm.gf_block._init_params = patched


def set_layer_params(layer, v):
    layer.init_params(v)
    if getattr(layer, "rotation_mode", None) == "cayley":
        return "cayley: upstream init_params crashes (FAILURES.md); generated with a runtime patch of gf_block._init_params using the MLP-path layout [offset][cayley 1][means][log widths][log norms]"
    return None


def build(pd, fd, opts, seed, notes):
    if "cayley" in json.dumps(opts):
        _install_cayley_workaround()
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    pdf = jammy_flows.pdf(pd, fd, options_overwrite=opts)
    pdf.double()
    flat = []
    for k, layers in enumerate(pdf.layer_list):
        mlp = pdf.mlp_predictors[k] if k < len(pdf.mlp_predictors) else None
        if k == 0 and mlp is None:
            for j, layer in enumerate(layers):
                n = layer.get_total_param_num()
                if n == 0:
                    continue
                v = layer.get_desired_init_parameters().double().reshape(-1)
                v = v + 0.3 * torch.from_numpy(rng.standard_normal(n))
                w = set_layer_params(layer, v)
                if w:
                    notes.append(f"sub-manifold 0 layer {j}: {w}")
                if type(layer).__name__ == "segmented_sphere_nd" and layer.num_mlp_params > 0:
                    # n.init_params only uses the last P_zenith entries of its MLP block (as the MLP's final
                    # bias) and re-draws the MLP weights randomly (initialize_uvbs). Perturb the actual
                    # weights and read the true state back so that params reproduce the model exactly.
                    with torch.no_grad():
                        uvb = layer.amortized_mlp.u_v_b_pars
                        nw = layer.num_mlp_params - layer.total_euclidean_pars
                        uvb[0, :nw] += 0.3 * torch.from_numpy(rng.standard_normal(nw))
                        parts = []
                        if layer.num_householder_params > 0:
                            parts.append(layer.householder_params.detach().reshape(-1))
                        parts.append(uvb.detach().reshape(-1))
                        parts.append(layer.moebius_trafo.moebius_pars.detach().reshape(-1))
                        v = torch.cat(parts).clone()
                    assert v.numel() == n
                    notes.append(f"sub-manifold 0 layer {j} (n): init_params ignores the first "
                                 f"{nw} entries of its MLP block (re-draws MLP weights); params here hold the "
                                 "actual state read back after init: [householder 9][AmortizableMLP u_v_b_pars "
                                 "(weights perturbed 0.3*N(0,1))][moebius 4*M]")
                flat.append(v.detach().numpy().copy())
        elif mlp is not None:
            lins = [m for m in mlp.modules() if isinstance(m, torch.nn.Linear)]
            notes.append(f"sub-manifold {k} MLP: " + " -> ".join(
                [str(lins[0].in_features)] + [str(l.out_features) for l in lins]) +
                " (Linear, tanh between, no final activation); flat = per Linear: weight (out x in, row-major), bias")
            for i, lin in enumerate(lins):
                with torch.no_grad():
                    if i == len(lins) - 1:
                        lin.weight.mul_(30.0)
                    lin.bias.add_(0.1 * torch.from_numpy(rng.standard_normal(lin.bias.shape)))
                flat.append(lin.weight.detach().double().numpy().reshape(-1).copy())
                flat.append(lin.bias.detach().double().numpy().reshape(-1).copy())
    flat = np.concatenate(flat) if flat else np.zeros(0)
    assert flat.size == int(pdf.count_parameters()), (pd, fd, flat.size, pdf.count_parameters())
    return pdf, flat


def probe_layout(pd, fd, opts):
    """Where does flat entry i of each sub-manifold-0 layer block end up? Init a fresh pdf with
    distinct values 1000+i and look them up in the layer's parameters/buffers."""
    torch.manual_seed(0)
    if "cayley" in json.dumps(opts):
        _install_cayley_workaround()
    pdf = jammy_flows.pdf(pd, fd, options_overwrite=opts)
    pdf.double()
    out = []
    if pdf.mlp_predictors[0] is not None:
        return out
    for j, layer in enumerate(pdf.layer_list[0]):
        n = layer.get_total_param_num()
        if n == 0:
            out.append({"layer": j, "n": 0, "segments": []})
            continue
        v = 1000.0 + torch.arange(n, dtype=torch.float64)
        try:
            set_layer_params(layer, v)
        except Exception as e:
            out.append({"layer": j, "n": n, "error": repr(e)})
            continue
        found = {}
        tensors = list(layer.named_parameters()) + list(layer.named_buffers())
        for name, t in tensors:
            tf = t.detach().reshape(-1).double()
            for e in range(tf.numel()):
                val = float(tf[e])
                if 1000.0 <= val < 1000.0 + n and val == int(val):
                    i = int(val) - 1000
                    found.setdefault(i, (name, tuple(t.shape), e))
        segs = []
        for i in range(n):
            if i not in found:
                seg = ("?", None, None)
                if segs and segs[-1]["param"] == "?":
                    segs[-1]["len"] += 1
                else:
                    segs.append({"start": i, "len": 1, "param": "?", "shape": None, "elem_start": None})
                continue
            name, shape, e = found[i]
            if segs and segs[-1]["param"] == name and segs[-1]["elem_start"] is not None and \
                    segs[-1]["elem_start"] + segs[-1]["len"] == e:
                segs[-1]["len"] += 1
            else:
                segs.append({"start": i, "len": 1, "param": name, "shape": list(shape), "elem_start": e})
        out.append({"layer": j, "n": n, "segments": segs})
    return out


def mlp_path_check(pd, fd, opts, flat, x, lp):
    """Same config made conditional (dim 1) with the MLP's last weight zeroed and its bias set to the
    flat vector: if the MLP (conditional) path slices parameters in the same layout as init_params,
    the log-densities agree. Only for single sub-manifold pdfs."""
    if "+" in pd or flat.size == 0:
        return None
    torch.manual_seed(0)
    q = jammy_flows.pdf(pd, fd, options_overwrite=opts, conditional_input_dim=1)
    q.double()
    lins = [m for m in q.mlp_predictors[0].modules() if isinstance(m, torch.nn.Linear)]
    with torch.no_grad():
        lins[-1].weight.zero_()
        lins[-1].bias.copy_(torch.from_numpy(flat))
        lq = q(x, conditional_input=torch.zeros(x.shape[0], 1))[0]
    return float((lq - lp).abs().max())


def layer_info(pdf):
    info = []
    for k, layers in enumerate(pdf.layer_list):
        row = []
        for j, layer in enumerate(layers):
            d = {"class": type(layer).__name__, "letter": pdf.flow_defs_list[k][j],
                 "n_params": int(layer.get_total_param_num())}
            for a in LAYER_ATTRS:
                if hasattr(layer, a):
                    val = getattr(layer, a)
                    if isinstance(val, (bool, int, float, str, np.integer, np.floating)) or val is None:
                        d[a] = jsonable(val)
            row.append(d)
        info.append(row)
    return info


def param_structure(pdf, x):
    try:
        s = pdf.obtain_flow_param_structure(seed=1)
    except Exception as e:
        return {"error": repr(e)}
    res = []
    for key, v in s.items():
        if isinstance(v, dict):
            res.append([key, [[kk, list(vv.shape) if hasattr(vv, "shape") else None] for kk, vv in v.items()]])
        else:
            res.append([key, repr(type(v))])
    return res


def hand_points(pd, pdf):
    parts = pd.split("+")
    if len(parts) != 1:
        return None
    p = parts[0]
    if p == "e1":
        return [[-6.0], [-2.5], [-1.0], [0.0], [0.3], [1.7], [4.0], [9.0]]
    if p.startswith("i1"):
        lo, hi = (0.0, 1.0)
        if "_" in p:
            bits = p.split("_")
            lo, hi = float(bits[1]), float(bits[2])
        fr = [1e-4, 0.02, 0.25, 0.5, 0.61, 0.9, 0.999, 1 - 1e-5]
        return [[lo + f * (hi - lo)] for f in fr]
    if p == "s1":
        return [[1e-3], [0.5], [2.0], [math.pi], [4.4], [2 * math.pi - 1e-3]]
    if p == "s2":
        return [[1e-3, 0.3], [0.4, 5.9], [math.pi / 2, 0.0], [math.pi / 2, math.pi], [2.5, 1.2],
                [math.pi - 1e-3, 4.0]]
    if p.startswith("a"):
        d = int(p[1:])
        rng = np.random.default_rng(11)
        pts = rng.dirichlet(np.full(d + 1, 0.7), size=6)[:, 1:].tolist()
        return pts + [[1.0 / (d + 1)] * d, [1e-6] * d, [(1 - 1e-6) / d] * d]
    if p.startswith("e"):
        d = int(p[1:])
        rng = np.random.default_rng(5)
        pts = [list(np.zeros(d)), list(np.full(d, 3.0)), list(np.full(d, -4.0))]
        return pts + rng.normal(scale=2.0, size=(2, d)).tolist()
    return None


# Configurations whose log-density is ill-conditioned at some points (the polynomial stretch p maps
# a neighbourhood of its center through |xi|^k): drop_ill_conditioned removes those rows.
DROP_ILL_CONDITIONED = {"s2_n_p", "s2_n_pp", "s2_n_pg"}


def drop_ill_conditioned(pdf, x, lp, blp, base, xs, zs, lps, nsamp, notes):
    """Drops rows whose upstream log_pdf is not finite or moves by more than 1e-10 when x moves by
    1e-14 relative: rows too sensitive to rounding for a 1e-10 comparison."""
    with torch.no_grad():
        moved = pdf(x * (1 + 1e-14))[0]
    bad = ~torch.isfinite(lp) | ~((moved - lp).abs() <= 1e-10)
    keep = (~bad).nonzero().reshape(-1)
    if bool(bad.any()):
        notes.append("rows dropped as ill-conditioned (log_pdf not finite, or moving by > 1e-10 under a "
                     f"1e-14 relative change of x): {bad.nonzero().reshape(-1).tolist()} of the original {x.shape[0]}")
    ks = keep[keep < nsamp]
    return x[keep], lp[keep], blp[keep], base[keep], xs[ks], zs[ks], lps[ks], int(ks.numel())


# The Gumbel-softmax layer u evaluates the normal quantile with a Padé approximation where the
# Gumbel CDF is within 5e-8 of 0 or 1 (|base| > 5.3); drop_pade_tail removes those rows.
DROP_PADE_TAIL = {"a1_u", "a2_u"}


def drop_pade_tail(x, lp, blp, base, xs, zs, lps, nsamp, notes):
    """Drops rows with a base coordinate beyond +-5.3, where upstream's u uses its Pade
    approximation of the inverse normal CDF instead of the exact quantile."""
    bad = ~(base.abs() < 5.3).all(dim=1)
    keep = (~bad).nonzero().reshape(-1)
    if bool(bad.any()):
        notes.append("rows dropped in u's Pade region (a base coordinate beyond +-5.3): "
                     f"{bad.nonzero().reshape(-1).tolist()} of the original {x.shape[0]}")
    ks = keep[keep < nsamp]
    return x[keep], lp[keep], blp[keep], base[keep], xs[ks], zs[ks], lps[ks], int(ks.numel())


def run_one(name, pd, fd, opts, idx, outdir, tag):
    notes = []
    pdf, flat = build(pd, fd, opts, seed=100 + idx, notes=notes)
    nsamp = 40
    with torch.no_grad():
        xs, zs, lps, _ = pdf.sample(samplesize=nsamp, seed=7 + idx)
        hp = hand_points(pd, pdf)
        if hp is not None:
            x = torch.cat([xs, torch.tensor(hp, dtype=torch.float64)], dim=0)
        else:
            x = xs
        lp, blp, base = pdf(x)
    if name in DROP_ILL_CONDITIONED:
        x, lp, blp, base, xs, zs, lps, nsamp = drop_ill_conditioned(pdf, x, lp, blp, base, xs, zs, lps, nsamp, notes)
    if name in DROP_PADE_TAIL:
        x, lp, blp, base, xs, zs, lps, nsamp = drop_pade_tail(x, lp, blp, base, xs, zs, lps, nsamp, notes)
    max_diff = float((lp[:nsamp] - lps).abs().max())
    max_base_diff = float((base[:nsamp] - zs).abs().max())
    info = layer_info(pdf)
    try:
        mlp_diff = mlp_path_check(pd, fd, opts, flat, x, lp)
    except Exception as e:
        mlp_diff = "error: " + repr(e)
    ift = [[d.get("inverse_function_type") for d in row] for row in info]
    for k, row in enumerate(info):
        for j, d in enumerate(row):
            bits = [f"sub-manifold {k} layer {j} '{d['letter']}' ({d['class']}, {d['n_params']} params)"]
            for a in ("inverse_function_type", "model_offset", "rotation_mode", "cov_type",
                      "euclidean_to_interval_as_first", "euclidean_to_sphere_as_first", "low_boundary",
                      "high_boundary", "use_permanent_parameters"):
                if a in d:
                    bits.append(f"{a}={d[a]}")
            notes.append(", ".join(bits))
    if any(p.startswith("i1") for p in pd.split("+")):
        notes.append("interval layer r: upstream clamps values to [-1,1] regardless of the bounds (bug, reference "
                     "doc section 17); all points here lie inside the bounds and inside [-1,1] where it matters")
    dts = sorted({str(t.dtype) for t in list(pdf.parameters()) + list(pdf.buffers())})
    notes.append("parameter/buffer dtypes after pdf.double(): " + ",".join(dts))
    finite = bool(torch.isfinite(lp).all())
    if not finite:
        notes.append("WARNING: non-finite log_pdf values present")
    rec = {
        "name": name,
        "pdf_defs": pd, "flow_defs": fd, "options": opts,
        "conditional_input_dim": None, "amortization_mlp_dims": "128",
        "count": int(pdf.count_parameters()),
        "per_layer_counts": jsonable(pdf.num_parameter_list),
        "params": jsonable(flat),
        "x": jsonable(x.numpy()),
        "num_sampled_points": nsamp,
        "log_pdf": jsonable(lp.numpy()),
        "base_log_pdf": jsonable(blp.numpy()),
        "base": jsonable(base.numpy()),
        "sample_log_pdf": jsonable(lps.numpy()),
        "max_abs_sample_vs_eval_log_pdf": max_diff,
        "max_abs_sample_vs_eval_base": max_base_diff,
        "mlp_path_layout_check_max_abs_diff": mlp_diff,
        "inverse_function_types": ift,
        "layer_info": info,
        "layouts": probe_layout(pd, fd, opts),
        "param_structure": param_structure(pdf, x),
        "notes": notes,
        "seeds": {"torch_manual_seed_and_perturbation_rng": 100 + idx, "sample_seed": 7 + idx},
        "upstream_commit": upstream_commit(),
        "torch_version": torch.__version__,
    }
    with open(os.path.join(outdir, name + ".json"), "w") as f:
        json.dump(rec, f, indent=None, separators=(",", ":"))
        f.write("\n")
    print(f"{name:28s} {pd:22s} {fd:14s} count={rec['count']:7d} sample_vs_eval={max_diff:.2e} "
          f"base_diff={max_base_diff:.2e} mlp_path={mlp_diff} finite={finite}", flush=True)


def main():
    outdir, tag = sys.argv[1], sys.argv[2]
    os.makedirs(outdir, exist_ok=True)
    only = set(sys.argv[3].split(",")) if len(sys.argv) > 3 else None
    for idx, (name, pd, fd, opts) in enumerate(CONFIGS[tag]):
        if only and name not in only:
            continue
        try:
            run_one(name, pd, fd, opts, idx + (0 if tag == "head" else 500), outdir, tag)
        except Exception as e:
            tb = traceback.format_exc()
            print(f"{name}: FAILED {e!r}", flush=True)
            with open(os.path.join(outdir, "FAILURES.md"), "a") as f:
                f.write(f"\n## {name}: `{pd}` `{fd}` options `{json.dumps(opts)}` (upstream {upstream_commit()[:7]})\n\n")
                f.write("```\n" + tb.strip()[-3000:] + "\n```\n")


if __name__ == "__main__":
    main()
