"""Reference values of jammy_flows' spline functions (layers/spline_fns.py) for spline_test.go.

Run beside an upstream checkout (see shared/reference/RUNNING_JAMMY_FLOWS.md):
    PYTHONPATH=/tmp/jf /usr/bin/python3 gen_spline_fns.py     (writes spline_fns.json beside it)
Every case lists the raw parameters (rows x per-spline count, flattened row-major), the inputs
(rows x cols) and upstream's outputs and log-derivatives for both directions.
"""
import json
import math
import os

import numpy as np
import torch

from jammy_flows.layers import spline_fns

torch.set_default_dtype(torch.float64)
rng = np.random.default_rng(20261128)


def t(a):
    return torch.from_numpy(np.asarray(a, dtype=np.float64))


def plain(name, k, rows, n, box, ratio=-1.0):
    lo, hi, bo, to = box
    w, h, d = rng.normal(size=(rows, k)), rng.normal(size=(rows, k)), rng.normal(size=(rows, k + 1))
    case = dict(name=name, kind="plain", bins=k, box=box, ratio=ratio, min=1e-3, widths=w.ravel().tolist(),
                heights=h.ravel().tolist(), derivatives=d.ravel().tolist(), rows=rows)
    for inverse, (a, b) in ((False, (lo, hi)), (True, (bo, to))):
        x = rng.uniform(a, b, size=(n, 1))
        y, ld = spline_fns.rational_quadratic_spline(t(x), t(w), t(h), t(d), inverse=inverse, left=lo, right=hi,
                                                     bottom=bo, top=to, rel_min_bin_width=1e-3,
                                                     rel_min_bin_height=1e-3, min_derivative=1e-3,
                                                     restrict_max_min_width_height_ratio=ratio)
        case["inverse" if inverse else "forward"] = dict(x=x.ravel().tolist(), y=y.numpy().ravel().tolist(),
                                                         logdet=ld.numpy().ravel().tolist())
    return case


def smooth(name, k, rows, n, box):
    lo, hi, bo, to = box
    w, h, d = rng.normal(size=(rows, k)), rng.normal(size=(rows, k)), rng.normal(size=(rows, 2))
    if k == 3:
        w[:, 2], h[:, 2] = w[:, 0], h[:, 0]
    case = dict(name=name, kind="smooth", bins=k, box=box, min=1e-3, widths=w.ravel().tolist(),
                heights=h.ravel().tolist(), derivatives=d.ravel().tolist(), rows=rows)
    for inverse, (a, b) in ((False, (lo, hi)), (True, (bo, to))):
        x = rng.uniform(a, b, size=(n, 1))
        y, ld = spline_fns.rational_quadratic_spline_smooth(t(x), t(w), t(h), t(d), inverse=inverse, left=lo,
                                                            right=hi, bottom=bo, top=to, rel_min_bin_width=1e-3,
                                                            rel_min_bin_height=1e-3, min_derivative=1e-3)
        case["inverse" if inverse else "forward"] = dict(x=x.ravel().tolist(), y=y.numpy().ravel().tolist(),
                                                         logdet=ld.numpy().ravel().tolist())
    return case


def circular(name, rows, n):
    w, h = rng.normal(size=(rows, 2)), rng.normal(size=(rows, 2))
    case = dict(name=name, kind="circular", bins=2, min=1e-4, widths=w.ravel().tolist(),
                heights=h.ravel().tolist(), rows=rows)
    for inverse in (False, True):
        x = rng.uniform(0, 2 * math.pi, size=(n, 1))
        y, ld = spline_fns.rational_quadratic_spline_smooth_circular(t(x), t(w), t(h), inverse=inverse,
                                                                     rel_min_bin_width=1e-4,
                                                                     rel_min_bin_height=1e-4, shift_to_middle=True)
        case["inverse" if inverse else "forward"] = dict(x=x.ravel().tolist(), y=y.numpy().ravel().tolist(),
                                                         logdet=ld.numpy().ravel().tolist())
    return case


def linear(name, k, rows, n, dim):
    w, h, d = rng.normal(size=(rows, dim, k)), rng.normal(size=(rows, dim, k)), rng.normal(size=(rows, dim, k + 1))
    b = rng.normal(size=(rows, dim, 4))
    left, right = b[..., 0:1], b[..., 0:1] + np.exp(b[..., 1:2]) + 0.5
    bottom, top = b[..., 2:3], b[..., 2:3] + np.exp(b[..., 3:4]) + 0.5
    bounds = np.concatenate([left, right, bottom, top], axis=-1)
    case = dict(name=name, kind="linear", bins=k, min=1e-3, widths=w.ravel().tolist(), heights=h.ravel().tolist(),
                derivatives=d.ravel().tolist(), bounds=bounds.ravel().tolist(), rows=rows, cols=dim)
    for inverse in (False, True):
        x = rng.uniform(-4, 4, size=(n, dim, 1))
        y, ld = spline_fns.rational_quadratic_spline_with_linear_extension(
            t(x), t(w), t(h), t(d), inverse=inverse, left=t(left), right=t(right), bottom=t(bottom), top=t(top),
            rel_min_bin_width=1e-3, rel_min_bin_height=1e-3, min_derivative=1e-3)
        case["inverse" if inverse else "forward"] = dict(x=x.ravel().tolist(), y=y.numpy().ravel().tolist(),
                                                         logdet=ld.numpy().ravel().tolist())
    return case


cases = []
for rows in (1, 9):
    cases.append(plain("plain rows=%d" % rows, 5, rows, 9, [-1.5, 2.0, -1.0, 1.8]))
    cases.append(plain("plain ratio rows=%d" % rows, 5, rows, 9, [-1.5, 2.0, -1.0, 1.8], ratio=7.0))
    cases.append(smooth("smooth2 rows=%d" % rows, 2, rows, 9, [0.0, 1.0, 0.2, 0.9]))
    cases.append(smooth("smooth3 rows=%d" % rows, 3, rows, 9, [-3.0, 3.0, -3.0, 3.0]))
    cases.append(circular("circular rows=%d" % rows, rows, 9))
    cases.append(linear("linear rows=%d" % rows, 4, rows, 9, 2))
# Upstream checks inverse inputs against [left, right] too, so the boxes above keep [bottom, top]
# inside [left, right].
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "spline_fns.json"), "w") as f:
    json.dump(dict(upstream="thoglu/jammy_flows cd400da layers/spline_fns.py", cases=cases), f, indent=1)
