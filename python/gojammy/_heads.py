"""amortize_everything, the Poisson head and fully_amortized_pdf: the constructor settings, the
per-row amortization parameters of calls and the attributes read from the library."""

import ctypes

import numpy as np

from ._arrays import as_rows
from ._checks import boolean, is_int
from ._lib import check, lib

# jammy_flows.pdf keywords of amortize_everything and the Poisson head, with their defaults.
HEAD_DEFAULTS = {
    "amortize_everything": False,
    "predict_log_normalization": False,
    "join_poisson_and_pdf_description": False,
    "hidden_mlp_dims_poisson": "128",
    "rank_of_mlp_mappings_poisson": 0,
}


def head_settings(kwargs):
    """Remove the head keywords from kwargs and return them checked, as the library's JSON
    takes them."""
    out = {}
    for name in ("amortize_everything", "predict_log_normalization", "join_poisson_and_pdf_description"):
        if name in kwargs:
            out[name] = boolean(kwargs.pop(name), name)
    if "hidden_mlp_dims_poisson" in kwargs:
        v = kwargs.pop("hidden_mlp_dims_poisson")
        if not isinstance(v, str):
            raise ValueError(f"hidden_mlp_dims_poisson: expected a string such as '64-64', got {v!r}")
        out["hidden_mlp_dims_poisson"] = v
    if "rank_of_mlp_mappings_poisson" in kwargs:
        v = kwargs.pop("rank_of_mlp_mappings_poisson")
        if not (is_int(v) or isinstance(v, str)):
            raise ValueError(f"rank_of_mlp_mappings_poisson: expected an int or a dash string, got {v!r}")
        out["rank_of_mlp_mappings_poisson"] = int(v) if is_int(v) else v
    return out


def adopt(obj, d):
    """Set the attributes of the heads from the library's description d."""
    obj.amortize_everything = bool(d.get("amortize_everything"))
    obj.predict_log_normalization = bool(d.get("predict_log_normalization"))
    obj.join_poisson_and_pdf_description = bool(d.get("join_poisson_and_pdf_description"))
    obj.hidden_mlp_dims_poisson = d.get("hidden_mlp_dims_poisson") or HEAD_DEFAULTS["hidden_mlp_dims_poisson"]
    obj.rank_of_mlp_mappings_poisson = d.get("rank_of_mlp_mappings_poisson") or 0
    obj._takes_amortization = bool(d.get("takes_amortization_parameters"))
    obj._n_amort = int(d.get("num_amortization_params") or 0)
    # upstream: None unless amortize_everything
    obj.total_number_amortizable_params = obj._n_amort if obj.amortize_everything else None


def amortization_rows(obj, amortization_parameters, n):
    """The amortization parameters of a call, checked against the model and n rows (None: from
    the parameters themselves): a C-contiguous (n, total_number_amortizable_params) array, or
    None for a model that takes none."""
    if not obj._takes_amortization:
        if amortization_parameters is not None:
            raise ValueError(
                "amortization_parameters: only a PDF built with amortize_everything=True takes them, pass None"
            )
        return None
    if amortization_parameters is None:
        raise ValueError(
            "amortization_parameters: this PDF amortizes everything (amortize_everything=True), pass an array of "
            f"shape (n, {obj._n_amort}) (total_number_amortizable_params)"
        )
    a = as_rows(amortization_parameters, "amortization_parameters", obj._n_amort)
    if n is not None and a.shape[0] != n:
        raise ValueError(f"amortization_parameters: has {a.shape[0]} rows, x has {n}")
    return a


def call(name, amort, head, tail):
    """Call the library function name with the arguments head + tail, or its _amortized form
    with head + (amort, its length) + tail when amort is given."""
    if amort is None:
        return getattr(lib(), name)(*head, *tail)
    return getattr(lib(), name + "_amortized")(*head, amort, amort.size, *tail)


def amortization_init(obj):
    """init_params' return value: the desired initial amortization row (amortize_everything), else
    None."""
    if not obj.amortize_everything:
        return None
    out = np.empty(obj._n_amort)
    check(lib().gj_pdf_amortization_init(obj.handle, out, out.size, None))
    return out


def log_mean_poisson(obj, conditional_input=None, amortization_parameters=None):
    """jammy_flows' log_mean_poisson: log λ of the Poisson head, shape (n, 1) for n rows of
    conditional input, (1, 1) for an unconditional PDF."""
    if not obj.predict_log_normalization:
        raise ValueError(
            "log_mean_poisson: this PDF does not predict the log-mean of a Poisson distribution; "
            "build it with predict_log_normalization=True"
        )
    if amortization_parameters is not None:
        raise ValueError("amortization_parameters: the Poisson head does not take them (as in jammy_flows), pass None")
    h = obj.handle
    cond = obj._cond_rows(conditional_input, None)
    n = 1 if cond is None else cond.shape[0]
    out = np.empty(n)
    if n:
        check(lib().gj_pdf_log_mean_poisson(h, cond, n, 0 if cond is None else cond.size, out, n))
    return out.reshape(n, 1)


def poisson_counts(obj, counts, n, opts):
    """Set the fit options' poisson_counts (n values) and return the array, which must stay
    alive during the call."""
    if counts is None:
        return None
    if not obj.predict_log_normalization:
        raise ValueError("poisson_counts: the PDF has no Poisson head (predict_log_normalization=False)")
    c = np.ascontiguousarray(np.asarray(counts, dtype=np.float64).reshape(-1))
    if c.size != n:
        raise ValueError(f"poisson_counts: expected {n} values (one per data row), got {c.size}")
    opts.poisson_counts = ctypes.c_void_p(c.ctypes.data)
    opts.poisson_counts_len = n
    return c

