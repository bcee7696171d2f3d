"""Monte-Carlo statistics of a PDF, computed by the library (flowcore/stats): jammy_flows'
entropy, entropy_iterative and marginal_moments (with calc_kl_diff_and_entropic_quantities),
and beyond upstream: entropy gradients, differentiable expectations of user functions, raw
moments, a goodness-of-fit p-value and an exclusive-KL (variational) fit.

The pdf methods are defined here and take the pdf as their first argument.
"""

import ctypes

import numpy as np

from . import _api, _heads
from ._arrays import as_rows
from ._checks import boolean, coords_for, non_negative_number, positive_int, positive_number, require_default, seed_for
from ._coverage import TOTAL, _keys
from ._fit import run_training
from ._lib import check, lib


class _Points:
    """A gj_points_fn calling a Python function of points. f(x) with x of shape (n, dim)
    returns values (n,), or (values, grad (n, dim)) where the library asks for the gradient.
    An exception is kept (the call then fails) and re-raised by ``raise_error``."""

    def __init__(self, f, name):
        if not callable(f):
            raise TypeError(f"{name}: expected a callable, got {type(f).__name__}")
        self.f, self.name, self.error = f, name, None
        self.c = _api.POINTS_FN(self)

    def __call__(self, _user, x_ptr, n, dim, values_ptr, grad_ptr):
        try:
            x = np.ctypeslib.as_array(x_ptr, shape=(n, dim)).copy() if n else np.empty((0, dim))
            out = self.f(x)
            want_grad = bool(grad_ptr)
            if want_grad and not (isinstance(out, tuple) and len(out) == 2):
                raise ValueError(f"{self.name}: must return (values, grad) when gradients are needed")
            values, grad = out if isinstance(out, tuple) else (out, None)
            values = np.asarray(values, dtype=np.float64).reshape(-1)
            if values.shape != (n,):
                raise ValueError(f"{self.name}: returned {values.size} values for {n} points")
            if n:
                np.ctypeslib.as_array(values_ptr, shape=(n,))[:] = values
            if want_grad:
                grad = np.asarray(grad, dtype=np.float64)
                if grad.shape != (n, dim):
                    raise ValueError(f"{self.name}: returned a gradient of shape {grad.shape}, expected {(n, dim)}")
                if n:
                    np.ctypeslib.as_array(grad_ptr, shape=(n, dim))[:] = grad
            return 0
        except BaseException as e:  # noqa: BLE001 - must not propagate through C
            self.error = e
            return 1

    def raise_error(self):
        if self.error is not None:
            raise self.error


def _rows(pdf, conditional_input, amortization_parameters):
    """(conditional rows or None, amortization rows or None, number of rows) of a statistics
    call: one row per conditional input (and per row of amortization_parameters of an
    amortize_everything PDF, as many of both), one row for an unconditional PDF without them."""
    cond = pdf._cond_rows(conditional_input, None)
    amort = _heads.amortization_rows(pdf, amortization_parameters, None)
    if cond is not None and amort is not None and amort.shape[0] != cond.shape[0]:
        raise ValueError(
            f"amortization_parameters: has {amort.shape[0]} rows, conditional_input has {cond.shape[0]} (one row each)"
        )
    n_rows = cond.shape[0] if cond is not None else (amort.shape[0] if amort is not None else 1)
    return cond, amort, n_rows


def _repeated(rows, samplesize):
    """rows repeated for the samplesize draws of each (None stays None)."""
    return None if rows is None else np.repeat(rows, samplesize, axis=0)


def _cond_args(cond, n_rows):
    return cond, n_rows, 0 if cond is None else cond.size


def entropy(
    pdf,
    sub_manifolds=[-1],
    conditional_input=None,
    force_embedding_coordinates=True,
    force_intrinsic_coordinates=False,
    samplesize=100,
    failsafe_crosscheck_tolerance=None,
    dtype=None,
    device=None,
    seed=None,
    return_std_error=False,
    amortization_parameters=None,
):
    """Monte-Carlo entropy -E[log p] per conditional row (one row for an unconditional PDF):
    a dict with "total" for -1 and k for the marginal PDF of sub-manifold k, each an array of
    n_rows values (upstream's estimator: the marginal density of sub-manifold k > 0 at a sample
    is averaged over the earlier sub-manifolds of all samples of its row). With
    return_std_error, also a dict of the Monte-Carlo standard errors. A PDF built with
    amortize_everything=True takes amortization_parameters, one row per conditional row (for an
    unconditional PDF: one row per entropy)."""
    require_default("failsafe_crosscheck_tolerance", failsafe_crosscheck_tolerance, None)
    coords, _ = pdf._coords(coords_for(force_embedding_coordinates, force_intrinsic_coordinates))
    h = pdf.handle
    cond, amort, n_rows = _rows(pdf, conditional_input, amortization_parameters)
    keys = _keys(sub_manifolds, pdf._n_subs)
    key_array = (ctypes.c_int64 * len(keys))(*keys)
    values, errors = np.empty((len(keys), n_rows)), np.empty((len(keys), n_rows))
    check(
        _heads.call(
            "gj_pdf_entropy", amort, (h, *_cond_args(cond, n_rows)),
            (key_array, len(keys), positive_int(samplesize, "samplesize"), seed_for(seed), coords, values, errors, values.size),
        )
    )
    out = {TOTAL if k == -1 else k: values[j] for j, k in enumerate(keys)}
    if return_std_error:
        return out, {TOTAL if k == -1 else k: errors[j] for j, k in enumerate(keys)}
    return out


def entropy_iterative(
    pdf,
    sub_manifolds=[-1],
    conditional_input=None,
    force_embedding_coordinates=True,
    force_intrinsic_coordinates=False,
    samplesize=100,
    iterative_samplesize=10,
    max_iterative_batchsize=20,
    failsafe_crosscheck_tolerance=None,
    dtype=None,
    device=None,
    return_samples=False,
    verbose=False,
    seed=None,
    amortization_parameters=None,
):
    """entropy() under upstream's memory-saving name: the library always evaluates in bounded
    chunks, so iterative_samplesize (which must divide samplesize, as upstream) and
    max_iterative_batchsize do not change the result. return_samples also returns the samples
    used, (n_rows * samplesize, dim) in the chosen coordinates. amortization_parameters as in
    entropy()."""
    positive_int(max_iterative_batchsize, "max_iterative_batchsize")
    if positive_int(samplesize, "samplesize") % positive_int(iterative_samplesize, "iterative_samplesize"):
        raise ValueError(f"iterative_samplesize: must divide samplesize ({samplesize}), got {iterative_samplesize}")
    seed = seed_for(seed)
    out = entropy(
        pdf, sub_manifolds, conditional_input, force_embedding_coordinates, force_intrinsic_coordinates, samplesize,
        failsafe_crosscheck_tolerance, seed=seed, amortization_parameters=amortization_parameters,
    )
    if not return_samples:
        return out
    cond, amort, _ = _rows(pdf, conditional_input, amortization_parameters)
    samples = pdf.sample(
        conditional_input=_repeated(cond, samplesize), samplesize=samplesize, seed=seed,
        amortization_parameters=_repeated(amort, samplesize),
        force_embedding_coordinates=force_embedding_coordinates, force_intrinsic_coordinates=force_intrinsic_coordinates,
    )[0]
    return out, samples


def _gradients(pdf, cond, amort):
    """The gradient output arrays of a statistics call and their ctypes arguments (the
    amortization gradient only for an amortize_everything PDF): (dict, args)."""
    grads = {
        "parameters": np.empty(pdf._n_params),
        "conditional_input": None if cond is None else np.empty(cond.shape),
    }
    if amort is not None:
        grads["amortization_parameters"] = np.empty(amort.shape)
    args = []
    for g in grads.values():
        args += [g, 0 if g is None else g.size]
    return grads, tuple(args)


def entropy_grad(
    pdf, conditional_input=None, samplesize=100, seed=None, force_embedding_coordinates=True, force_intrinsic_coordinates=False,
    amortization_parameters=None,
):
    """The entropy of the whole PDF per conditional row (entropy()["total"] for the same seed)
    and the gradients of their sum through the reparameterized samples: returns (entropy
    (n_rows,), std_error (n_rows,), {"parameters": (count_parameters(),), "conditional_input":
    (n_rows, cond_dim) or None}); with amortization_parameters (amortize_everything=True, one
    row per conditional row) the dict also holds "amortization_parameters", the gradient with
    respect to them (their shape)."""
    coords, _ = pdf._coords(coords_for(force_embedding_coordinates, force_intrinsic_coordinates))
    h = pdf.handle
    cond, amort, n_rows = _rows(pdf, conditional_input, amortization_parameters)
    values, errors = np.empty(n_rows), np.empty(n_rows)
    grads, grad_args = _gradients(pdf, cond, amort)
    check(
        _heads.call(
            "gj_pdf_entropy_grad", amort, (h, *_cond_args(cond, n_rows)),
            (positive_int(samplesize, "samplesize"), seed_for(seed), coords, values, errors, n_rows, *grad_args),
        )
    )
    return values, errors, grads


def expectation(
    pdf, f, conditional_input=None, samplesize=100, seed=None, grad=False,
    force_embedding_coordinates=False, force_intrinsic_coordinates=False, amortization_parameters=None,
):
    """Monte-Carlo expectation E[f(X)] per conditional row from samplesize samples X (in the
    chosen coordinates). f(x), x of shape (n, dim), returns values (n,); with grad=True it must
    return (values, df/dx of shape (n, dim)) and the result includes the gradients of the summed
    expectations through the reparameterized samples. Returns {"mean": (n_rows,), "std_error":
    (n_rows,)} and with grad also "parameters" and "conditional_input" (None if unconditional),
    and with amortization_parameters (amortize_everything=True, one row per conditional row)
    "amortization_parameters"."""
    coords, _ = pdf._coords(coords_for(force_embedding_coordinates, force_intrinsic_coordinates))
    h = pdf.handle
    cond, amort, n_rows = _rows(pdf, conditional_input, amortization_parameters)
    grad = boolean(grad, "grad")
    fn = _Points(f, "f")
    mean, errors = np.empty(n_rows), np.empty(n_rows)
    grads, grad_args = _gradients(pdf, cond, amort)
    status = _heads.call(
        "gj_pdf_expectation", amort, (h, fn.c, None, *_cond_args(cond, n_rows)),
        (positive_int(samplesize, "samplesize"), seed_for(seed), coords, int(grad), mean, errors, n_rows, *grad_args),
    )
    fn.raise_error()
    check(status)
    out = {"mean": mean, "std_error": errors}
    if grad:
        out.update(grads)
    return out


def moments(
    pdf, order=2, conditional_input=None, samplesize=10000, seed=None,
    force_embedding_coordinates=False, force_intrinsic_coordinates=False, amortization_parameters=None,
):
    """Raw moments E[X_d^k], k = 1..order, of every coordinate per conditional row: {"moments":
    (n_rows, order, dim), "std_error": the same shape}. amortization_parameters as in entropy()."""
    coords, dim = pdf._coords(coords_for(force_embedding_coordinates, force_intrinsic_coordinates))
    h = pdf.handle
    cond, amort, n_rows = _rows(pdf, conditional_input, amortization_parameters)
    order = positive_int(order, "order")
    values, errors = np.empty((n_rows, order, dim)), np.empty((n_rows, order, dim))
    check(
        _heads.call(
            "gj_pdf_moments", amort, (h, order, *_cond_args(cond, n_rows)),
            (positive_int(samplesize, "samplesize"), seed_for(seed), coords, values, errors, values.size),
        )
    )
    return {"moments": values, "std_error": errors}


def marginal_moments(
    pdf,
    conditional_input=None,
    samplesize=50,
    iterative_samplesize=10,
    max_iterative_batchsize=20,
    mises_abs_precision=1e-7,
    calc_kl_diff_and_entropic_quantities=False,
    failsafe_crosscheck_tolerance=None,
    dtype=None,
    device=None,
    verbose=False,
    s2_entropy_scanning=False,
    s2_entropy_scan_nside=32,
    return_samples=False,
    seed=None,
    amortization_parameters=None,
):
    """Moments of every sub-manifold's marginal per conditional row, with upstream's keys:
    "mean_k", "varlike_k" (covariance on Euclidean and interval parts, von Mises-Fisher kappa
    on spheres -- s1 included, where upstream fails), "argmax_k", "approx_entropy_k"; on spheres
    "mean_k_angles", "argmax_k_angles"; on s2 "azivar_k", "zenvar_k" and the Kent-like fit
    "zlp_kent_gamma1_k" ... "zlp_kent_u_k"; with calc_kl_diff_and_entropic_quantities "entropy_k",
    "cross_entropy_k", "kl_diff_exact_approx_k", "entropy_total" and, for a PDF of one
    sub-manifold, "kl_diff_approx_exact_0" and "reverse_cross_entropy_0" (upstream fails there
    for unconditional PDFs). return_samples adds "samples_k" (and "samples_k_angles").

    s2_entropy_scanning=True (with calc_kl_diff_and_entropic_quantities; ignored without, as
    upstream) computes "entropy_0" of an s2 first sub-manifold (the only s2 one) by quadrature on
    an adaptive HEALPix mesh that starts at nside s2_entropy_scan_nside (a power of two; cells
    refined down to nside 8192, Richardson-extrapolated midpoint rule) instead of from the
    samples, and with it "entropy_total" of a pure-s2 PDF and the KL differences.
    amortization_parameters: one row per conditional row for a PDF built with
    amortize_everything=True (an unconditional one: one row per result row)."""
    require_default("failsafe_crosscheck_tolerance", failsafe_crosscheck_tolerance, None)
    positive_int(iterative_samplesize, "iterative_samplesize")
    positive_int(max_iterative_batchsize, "max_iterative_batchsize")
    nside = positive_int(s2_entropy_scan_nside, "s2_entropy_scan_nside") if boolean(s2_entropy_scanning, "s2_entropy_scanning") else 0
    h = pdf.handle
    cond, amort, n_rows = _rows(pdf, conditional_input, amortization_parameters)
    s = positive_int(samplesize, "samplesize")
    kl = boolean(calc_kl_diff_and_entropic_quantities, "calc_kl_diff_and_entropic_quantities")
    seed = seed_for(seed)
    args = (
        h, *_cond_args(cond, n_rows), amort, 0 if amort is None else amort.size, s, seed,
        positive_number(mises_abs_precision, "mises_abs_precision"), int(kl), nside,
    )
    needed = ctypes.c_int64(0)
    check(lib().gj_pdf_marginal_moments_amortized(*args, None, 0, ctypes.byref(needed)))
    flat = np.empty(needed.value)
    check(lib().gj_pdf_marginal_moments_amortized(*args, flat, flat.size, ctypes.byref(needed)))
    out = _unflatten(pdf, flat, n_rows, kl)
    if return_samples:  # the draw the library used (the same seed, rows and coordinates)
        samples = pdf.sample(
            conditional_input=_repeated(cond, s), samplesize=s, seed=seed, amortization_parameters=_repeated(amort, s),
            force_embedding_coordinates=True,
        )[0]
        samples = samples.reshape(n_rows, s, -1)
        for k, (lo, hi) in enumerate(pdf.target_dim_indices_embedded):
            out[f"samples_{k}"] = samples[:, :, lo:hi]
            if pdf.pdf_defs_list[k].startswith("s"):
                out[f"samples_{k}_angles"] = _angles(samples[:, :, lo:hi])
    return out


def _angles(v):
    """Intrinsic coordinates of unit vectors (..., 2) or (..., 3): the angle in [0, 2 pi) on s1,
    (theta, phi) on s2."""
    phi = np.mod(np.arctan2(v[..., 1], v[..., 0]), 2 * np.pi)
    if v.shape[-1] == 2:
        return phi[..., None]
    theta = np.arctan2(np.hypot(v[..., 0], v[..., 1]), v[..., 2])
    return np.stack([theta, phi], axis=-1)


def _unflatten(pdf, flat, n, kl):
    """marginal_moments' dict from the library's flat layout (stats.Marginals.Flatten)."""
    out, pos = {}, 0

    def take(shape):
        nonlocal pos
        size = int(np.prod(shape))
        part = flat[pos : pos + size].reshape(shape)
        pos += size
        return part

    for k, (d, w) in enumerate(zip(pdf.pdf_defs_list, pdf.target_dims_embedded)):
        sphere, dim = d.startswith("s"), pdf.target_dims_intrinsic[k]
        out[f"mean_{k}"] = take((n, w))
        out[f"varlike_{k}"] = take((n, 1) if sphere else (n, w, w))
        out[f"argmax_{k}"] = take((n, w))
        out[f"approx_entropy_{k}"] = take((n,))
        if sphere:
            out[f"mean_{k}_angles"] = take((n, dim))
            out[f"argmax_{k}_angles"] = take((n, dim))
        if sphere and dim == 2:
            out[f"azivar_{k}"], out[f"zenvar_{k}"] = take((n,)), take((n,))
            kent = take((n, 11))
            for j, g in enumerate(("gamma1", "gamma2", "gamma3")):
                out[f"zlp_kent_{g}_{k}"] = kent[:, 3 * j : 3 * j + 3]
            out[f"zlp_kent_kappa_{k}"], out[f"zlp_kent_u_{k}"] = kent[:, 9], kent[:, 10]
        if kl:
            out[f"entropy_{k}"] = take((n,))
            out[f"cross_entropy_{k}"] = take((n,))
            out[f"kl_diff_exact_approx_{k}"] = take((n,))
    if kl:
        out["entropy_total"] = take((n,))
        if pdf._n_subs == 1:
            out["reverse_cross_entropy_0"] = take((n,))
            out["kl_diff_approx_exact_0"] = take((n,))
    if pos != flat.size:
        raise AssertionError(f"marginal_moments: layout mismatch ({pos} of {flat.size} values read)")
    return out


def calc_kl_diff_and_entropic_quantities(
    pdf, conditional_input=None, samplesize=50, seed=None, mises_abs_precision=1e-7,
    s2_entropy_scanning=False, s2_entropy_scan_nside=32, amortization_parameters=None,
):
    """The entropic part of marginal_moments(calc_kl_diff_and_entropic_quantities=True): per
    sub-manifold the marginal entropy, the cross entropy with its Gaussian / von Mises-Fisher
    approximation and their KL divergence, and the total entropy. s2_entropy_scanning,
    s2_entropy_scan_nside and amortization_parameters as in marginal_moments."""
    m = marginal_moments(
        pdf, conditional_input, samplesize, mises_abs_precision=mises_abs_precision,
        calc_kl_diff_and_entropic_quantities=True, seed=seed, s2_entropy_scanning=s2_entropy_scanning,
        s2_entropy_scan_nside=s2_entropy_scan_nside, amortization_parameters=amortization_parameters,
    )
    keep = ("entropy_", "cross_entropy_", "kl_diff_", "reverse_cross_entropy_", "approx_entropy_")
    return {k: v for k, v in m.items() if k.startswith(keep)}


def gof_pvalue(likelihood, posterior, x_obs, posterior_conditional_input=None, trials=1000, seed=None):
    """Posterior predictive goodness-of-fit p-value of an observation x_obs (n_obs events in the
    likelihood's default coordinates) under a likelihood PDF p(x; z) (its conditional input is
    z) and a posterior PDF q(z; x_obs) (conditioned on posterior_conditional_input, one row,
    or unconditional; its samples in default coordinates are z): with T(x, z) = mean_i log p(x_i;
    z), p = P(T(x, z) > T(x_obs, z)) for z ~ q and x ~ p(.; z) of n_obs events. p near 1 means
    the observation is less likely than replicated data (a poor fit). Returns {"p_value",
    "std_error" (binomial), "t", "t_obs" (trials,), "z" (trials, cond_dim)}."""
    x_coords, x_dim = likelihood._coords("default")
    z_coords, _ = posterior._coords("default")
    x = as_rows(x_obs, "x_obs", x_dim)
    pc = None
    if posterior_conditional_input is not None:
        pc = posterior._cond_rows(np.atleast_2d(posterior_conditional_input), 1, "posterior_conditional_input")
    trials = positive_int(trials, "trials")
    p, se = np.empty(1), np.empty(1)
    t, t_obs = np.empty(trials), np.empty(trials)
    z = np.empty((trials, likelihood._cond_dim))
    check(
        lib().gj_gof_pvalue(
            likelihood.handle, x_coords, posterior.handle, pc, 0 if pc is None else pc.size, z_coords,
            x, x.shape[0], x.size, trials, seed_for(seed), p, se, t, t_obs, trials, z if z.size else None, z.size,
        )
    )
    return {"p_value": float(p[0]), "std_error": float(se[0]), "t": t, "t_obs": t_obs, "z": z}


def fit_variational(
    pdf, log_target, epochs=10, batch_size=256, learning_rate=1e-2, seed=None, progress=True,
    *, steps=0, clip_norm=0.0, force_embedding_coordinates=False, force_intrinsic_coordinates=False,
):
    """Fit this (unconditional) PDF q to an unnormalized target density by minimizing the
    exclusive KL divergence E_q[log q(X) - log_target(X)] with batch_size reparameterized samples
    per Adam step. log_target(x), x of shape (n, dim) in the chosen coordinates, returns (log
    density (n,), its gradient (n, dim)). An epoch is 100 steps (steps > 0: the exact number of
    steps). Progress bar, Ctrl-C and the returned history ({"loss": mean loss per epoch,
    "val_loss": [], "skipped_nan": [0, ...], "skipped_outside": samples left out per epoch (a
    non-finite log q or log_target)}) are fit()'s; the loss is KL(q || pi) - log Z."""
    coords, _ = pdf._coords(coords_for(force_embedding_coordinates, force_intrinsic_coordinates))
    h = pdf.handle
    target = _Points(log_target, "log_target")
    epochs = positive_int(epochs, "epochs")
    steps = positive_int(steps, "steps", allow_zero=True)
    opts = _api.FitOptions(
        epochs=epochs, steps=steps, batch_size=positive_int(batch_size, "batch_size"),
        learning_rate=positive_number(learning_rate, "learning_rate"), seed=seed_for(seed),
        clip_norm=non_negative_number(clip_norm, "clip_norm"),
    )
    n_epochs = -(-steps // 100) if steps else epochs

    def call(callback, loss, val_loss, n_hist):
        return lib().gj_pdf_fit_variational(
            h, target.c, None, coords, ctypes.byref(opts), callback, None, loss, val_loss, n_epochs, ctypes.byref(n_hist),
        )

    try:
        return run_training(call, opts, n_epochs, steps or 100 * epochs, "fit_variational", False, progress)
    finally:
        target.raise_error()
