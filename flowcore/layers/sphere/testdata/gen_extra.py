#!/usr/bin/env python3
"""Reference log-densities of jammy_flows (v1.1.0) for sphere layer options that the shared fixtures
in flowcore/testdata/upstream do not cover. Writes extra.json next to this file.

Run from a scratch checkout of jammy_flows (see ../../../../../shared/reference/RUNNING_JAMMY_FLOWS.md):
    PYTHONPATH=/tmp/jf:<peer_stubs> /usr/bin/python3 gen_extra.py
Parameters: each layer's desired initial parameters plus 0.3 N(0,1), set through layer.init_params
(rotation parameters first, as upstream lays them out). Points: 30 model samples and 6 fixed points.
"""
import json
import os
import numpy as np
import torch
import jammy_flows

torch.set_default_dtype(torch.float64)

CONFIGS = [
    ("s1", "m", {"m": {"natural_direction": 1, "add_rotation": 1, "num_basis_functions": 3}}),
    ("s1", "o", {"o": {"smooth_second_derivative": 0, "num_basis_functions": 4}}),
    ("s1", "o", {"o": {"smooth_second_derivative": 0, "num_basis_functions": 3, "fix_boundary_derivatives": 1.0,
                       "natural_direction": 0, "fix_first_width_n_height_to_zero": 1,
                       "independent_width_height_parametrization": 1}}),
    ("s1", "o", {"o": {"fix_first_width_n_height_to_zero": 1, "also_fix_second_width_to_zero": 1,
                       "independent_width_height_parametrization": 1}}),
    ("s1", "y", {"y": {"add_rotation": 1}}),
    ("s2", "ff", {"f": {"add_vertical_rq_spline_flow": 1, "add_circular_rq_spline_flow": 1,
                        "vertical_flow_defs": "rz", "circular_flow_defs": "ooo", "spline_num_basis_functions": 4,
                        "vertical_fix_boundary_derivative": 0}}),
    ("s2", "f", {"f": {"add_vertical_rq_spline_flow": 1, "add_circular_rq_spline_flow": 1,
                       "boundary_cos_theta_identity_region": 0.4}}),
    ("s2", "f", {"f": {"add_extra_rotation_inbetween": 1, "rotation_mode": "angles", "add_circular_rq_spline_flow": 1,
                       "kappa_prediction": "softplus_real_bounded"}}),
    ("s2", "f", {"f": {"rotation_mode": "xyz", "kappa_prediction": "mu"}}),
    ("s2", "f", {"f": {"rotation_mode": "xyz", "kappa_prediction": "mu_squared"}}),
    ("s2", "f", {"f": {"rotation_mode": "quaternion", "kappa_prediction": "quatvec"}}),
    ("s2", "f", {"f": {"rotation_mode": "quaternion", "kappa_prediction": "quatvec_squared"}}),
    ("s2", "f", {"f": {"add_rotation": 0, "kappa_prediction": "log_bounded", "inverse_z_scaling": 0, "kappa_clamping": 1}}),
    ("s2", "f", {"f": {"add_correlated_rq_spline_flow": 1}}),
    ("s2", "f", {"f": {"add_correlated_rq_spline_flow": 1, "vertical_flow_defs": "r", "circular_flow_defs": "o",
                       "correlated_max_rank": 1, "boundary_cos_theta_identity_region": 0.2}}),
    ("s2", "v", {"v": {"natural_direction": 1}}),
    ("s2", "v", {"v": {"exp_map_type": "linear", "add_rotation": 1}}),
    ("s2", "v", {"v": {"exp_map_type": "quadratic", "num_components": 4}}),
    ("s2", "v", {"v": {"exp_map_type": "splines", "num_components": 3}}),
]

FIXED = {"s1": [[0.001], [0.5], [2.0], [3.0], [4.4], [6.282]],
         "s2": [[0.001, 0.3], [0.4, 5.9], [1.5707963267948966, 0.0], [1.5707963267948966, 3.141592653589793],
                [2.5, 1.2], [3.1405926535897932, 4.0]]}


def main():
    out = []
    for i, (pd, fd, opts) in enumerate(CONFIGS):
        torch.manual_seed(300 + i)
        rng = np.random.default_rng(300 + i)
        pdf = jammy_flows.pdf(pd, fd, options_overwrite=opts)
        pdf.double()
        flat = []
        for layer in pdf.layer_list[0]:
            n = layer.get_total_param_num()
            if n == 0:
                continue
            v = layer.get_desired_init_parameters().double().reshape(-1)
            v = v + 0.3 * torch.from_numpy(rng.standard_normal(n))
            layer.init_params(v)
            flat.append(v.detach().numpy().copy())
        flat = np.concatenate(flat) if flat else np.zeros(0)
        assert flat.size == int(pdf.count_parameters())
        with torch.no_grad():
            x, _, lp_s, _ = pdf.sample(samplesize=30, seed=11 + i)
            x = torch.cat([x, torch.tensor(FIXED[pd])])
            lp, _, base = pdf(x)
        out.append({"pdf_defs": pd, "flow_defs": fd, "options": opts, "count": int(pdf.count_parameters()),
                    "params": flat.tolist(), "x": x.numpy().tolist(), "log_pdf": lp.numpy().tolist(),
                    "base": base.numpy().tolist(),
                    "max_abs_sample_vs_eval": float((lp[:30] - lp_s).abs().max())})
        print(i, pd, fd, opts, out[-1]["count"], out[-1]["max_abs_sample_vs_eval"])
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "extra.json"), "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
