"""Model definitions shared by the tests and random points on their manifolds."""

import numpy as np

import gojammy

# (pdf_defs, flow_defs, constructor kwargs): Euclidean, interval, mixed/autoregressive, conditional.
UNCONDITIONAL = [
    ("e2", "gg", {}),
    ("i1_-1.0_2.0", "rr", {}),
    ("e2+i1_-1.0_2.0", "gg+r", {}),
]
CONDITIONAL = [
    ("e2+i1_-1.0_2.0", "gg+r", {"conditional_input_dim": 3, "amortization_mlp_dims": "16"}),
]
ALL = UNCONDITIONAL + CONDITIONAL


def model_id(m):
    cond = f"|cond{m[2]['conditional_input_dim']}" if m[2].get("conditional_input_dim") else ""
    return f"{m[0]}|{m[1]}{cond}"


def bounds(part):
    fields = part.split("_")
    return (float(fields[1]), float(fields[2])) if len(fields) == 3 else (0.0, 1.0)


def points(model, n, rng):
    """n random points inside the support of model, in default coordinates."""
    cols = []
    for part in model.pdf_defs_list:
        dim = int(part.split("_")[0][1:])
        if part[0] == "e":
            cols.append(rng.normal(size=(n, dim)))
        elif part[0] == "i":
            lo, hi = bounds(part)
            cols.append(rng.uniform(lo + 0.01 * (hi - lo), hi - 0.01 * (hi - lo), size=(n, 1)))
        else:
            raise ValueError(part)
    return np.concatenate(cols, axis=1)


def cond_for(model, n, rng):
    """A conditional input for n rows (None for an unconditional model)."""
    if not model.conditional_input_dim:
        return None
    return rng.normal(size=(n, model.conditional_input_dim))


def make(m, seed=7, perturb=0.1):
    """Build a model and move its parameters off their initial values (deterministically), so that
    every layer has a non-trivial effect."""
    pdf = gojammy.pdf(m[0], m[1], **m[2])
    p = pdf.get_parameters()
    pdf.set_parameters(p + perturb * np.random.default_rng(seed).normal(size=p.size))
    return pdf
