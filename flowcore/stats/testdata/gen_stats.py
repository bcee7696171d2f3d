#!/usr/bin/env python3
"""Generate reference statistics for flowcore/stats from the Python package jammy_flows.

jammy_flows is NOT part of this repository and this script does not install it; it is imported
from PYTHONPATH (a checkout of github.com/thoglu/jammy_flows, v1.1.0 = cd400da):

    PYTHONPATH=/tmp/jf    /usr/bin/python3 gen_stats.py upstream_stats_head.json head
    PYTHONPATH=/tmp/jf_02 /usr/bin/python3 gen_stats.py upstream_stats_02.json 02

(02ed589 for the sphere layer n, which concentrates on S2 at these parameters; it predates the
Kent fit of marginal_moments.) And for the Kent-like fit alone (samples of known Kent-like
distributions from upstream's exact sampler, and fit_zlpkent_batch_quat's fast-path fit):

    PYTHONPATH=/tmp/jf    /usr/bin/python3 gen_stats.py upstream_kent.json kent

Models are built as in ../../testdata/upstream/gen_upstream.py (its build(): desired init
parameters perturbed by 0.3 N(0,1), MLP weights of later sub-manifolds scaled), so gojammy can load
the flat parameter vector. For each model the file holds entropy (sub_manifolds -1 and every
sub-manifold) and marginal_moments from
upstream's estimators at the stated sample sizes, together with the Monte-Carlo standard errors
of the entropies (std of -log p over sqrt(samplesize)), so that gojammy's estimates can be
compared within the Monte-Carlo error.
"""
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "testdata", "upstream"))
from gen_upstream import build  # noqa: E402

torch.set_default_dtype(torch.float64)

CONFIGS = {
    # name, pdf_defs, flow_defs, seed, entropy samplesize, moments samplesize
    "head": [
        ("e2_gggg", "e2", "gggg", 11, 100000, 20000),
        ("e1s2_gf", "e1+s2", "g+f", 12, 1000, 20000),
        ("e1e1_gg", "e1+e1", "g+g", 13, 1000, 1000),
    ],
    "02": [
        ("s2_n", "s2", "n", 14, 100000, 20000),
    ],
}


def arr(v):
    if torch.is_tensor(v):
        v = v.detach().cpu().numpy()
    return np.asarray(v, dtype=np.float64).tolist()


KENT = [
    # gamma1, gamma2 (orthogonalized), kappa, u, n, seed
    ([0.3, -0.5, 0.8], [1.0, 0.2, 0.0], 50.0, 1.6, 3000, 1),
    ([-0.9, 0.1, -0.2], [0.0, 0.0, 1.0], 8.0, 1.2, 3000, 2),
    ([0.0, 0.0, 1.0], [1.0, 0.0, 0.0], 400.0, 2.5, 3000, 3),
]


def kent():
    from jammy_flows.helper_fns.approximation_samplers import sample_zlpkent_s2
    from jammy_flows.main.zlp_kent_ml_fit import fit_zlpkent_batch_quat
    out = []
    for g1, g2, kappa, u, n, seed in KENT:
        g1 = np.array(g1) / np.linalg.norm(g1)
        g2 = np.array(g2) - np.dot(g2, g1) * g1
        g2 /= np.linalg.norm(g2)
        g3 = np.cross(g1, g2)
        x = sample_zlpkent_s2(g1, g2, g3, kappa, u, n, rng=np.random.default_rng(seed))
        xt = torch.from_numpy(x)[None]
        mu = xt.mean(dim=1)
        mu = mu / mu.norm(dim=1, keepdim=True)
        r = float(xt.mean(dim=1).norm())
        res = fit_zlpkent_batch_quat(xt, mu_vmf=mu, kappa_vmf=torch.tensor([(3 * r - r**3) / (1 - r**2)]), fast_path=True)
        out.append({"x": x.tolist(), "kappa_vmf_start": (3 * r - r**3) / (1 - r**2),
                    "true": {"gamma1": g1.tolist(), "gamma2": g2.tolist(), "kappa": kappa, "u": u},
                    "fit": {k: arr(res[k])[0] for k in ("gamma1", "gamma2", "gamma3", "kappa", "u", "loglik")}})
        print(out[-1]["true"], out[-1]["fit"])
    with open(sys.argv[1], "w") as f:
        json.dump(out, f)


def main():
    if sys.argv[2] == "kent":
        kent()
        return
    out = {}
    for name, pd, fd, seed, n_ent, n_mom in CONFIGS[sys.argv[2]]:
        pdf, flat = build(pd, fd, {}, seed, [])
        torch.manual_seed(seed)
        keys = [-1] + list(range(len(pdf.pdf_defs_list)))
        ent = pdf.entropy(sub_manifolds=keys, samplesize=n_ent)
        # the standard error of the total from a second draw of the same size
        smp, _, lp, _ = pdf.sample(samplesize=n_ent, force_embedding_coordinates=True)
        lp = lp.detach().numpy()
        # calc_kl_diff_and_entropic_quantities=True crashes upstream for an unconditional PDF
        # (it casts its reverse-KL samples to the type of the absent conditional input)
        mom = pdf.marginal_moments(samplesize=n_mom)
        out[name] = {
            "pdf_defs": pd, "flow_defs": fd, "count": int(pdf.count_parameters()),
            "params": arr(flat),
            "entropy_samplesize": n_ent,
            "entropy": {str(k): arr(v)[0] for k, v in ent.items()},
            "entropy_total_stderr": float(np.std(-lp) / np.sqrt(n_ent)),
            "moments_samplesize": n_mom,
            "moments": {k: arr(v) for k, v in mom.items() if not k.startswith("samples")},
        }
        print(name, out[name]["entropy"], out[name]["entropy_total_stderr"])
    with open(sys.argv[1], "w") as f:
        json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
