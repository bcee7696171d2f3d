"""Coverage of a PDF's credible regions: jammy_flows' approximate_coverage and
coverage_and_or_pdf_scan, computed by the library (flowcore/coverage).

Both are methods of gojammy.pdf; the functions here take the pdf as their first argument.
"""

import ctypes

import numpy as np

from . import _api, _heads
from ._arrays import as_rows
from ._checks import boolean, coords_for, positive_int, seed_for
from ._lib import check, lib
from .grid_functions import _unit

#: jammy_flows' key of the whole PDF in the result dictionaries.
TOTAL = "total"

_METHODS = {"auto": _api.SCAN_AUTO, "grid": _api.SCAN_GRID, "healpix": _api.SCAN_HEALPIX, "sampling": _api.SCAN_SAMPLING}
_METHOD_NAMES = {v: k for k, v in _METHODS.items()}
_SQUARE_DEGREES_PER_STERADIAN = (180.0 / np.pi) ** 2


def _keys(sub_manifolds, count):
    """Upstream's sub_manifolds list (-1: the whole PDF) as library keys, checked."""
    try:
        keys = [int(k) for k in sub_manifolds]
    except TypeError:
        raise ValueError(f"sub_manifolds: expected a list of ints, got {sub_manifolds!r}") from None
    if not keys:
        raise ValueError("sub_manifolds: expected at least one index (-1 for the whole PDF)")
    for k in keys:
        if k != -1 and not 0 <= k < count:
            raise ValueError(f"sub_manifolds: index {k} is invalid for {count} sub-manifolds (use -1 for the whole PDF)")
    return keys


def approximate_coverage(
    pdf,
    target_x,
    conditional_input=None,
    amortization_parameters=None,
    force_embedding_coordinates=False,
    force_intrinsic_coordinates=False,
    num_percentile_points=100,
    sub_manifolds=[-1],
):
    """Approximate coverage from the base points: for each key of sub_manifolds ("total" for -1,
    else the sub-manifold index), "logprob_diffs" = 2(log N(0) - log N(z)) = |z|^2 per event,
    "chi2_cdf_evals" = its chi^2 CDF (uniform for a calibrated PDF) and "true" = the fraction of
    events below each of the "expected" levels linspace(0, 1, num_percentile_points).
    amortization_parameters: one row per event for a PDF built with amortize_everything=True."""
    coords, dim = pdf._coords(coords_for(force_embedding_coordinates, force_intrinsic_coordinates))
    h = pdf.handle
    x = as_rows(target_x, "target_x", dim)
    n = x.shape[0]
    cond = pdf._cond_rows(conditional_input, n)
    amort = _heads.amortization_rows(pdf, amortization_parameters, n)
    npp = positive_int(num_percentile_points, "num_percentile_points")
    keys = _keys(sub_manifolds, pdf._n_subs)
    key_array = (ctypes.c_int64 * len(keys))(*keys)
    expected = np.empty(npp)
    true = np.empty((len(keys), npp))
    diffs, cdfs = np.empty((len(keys), n)), np.empty((len(keys), n))
    check(
        _heads.call(
            "gj_pdf_approximate_coverage", amort, (h, x, n, x.size, cond, 0 if cond is None else cond.size),
            (coords, npp, key_array, len(keys), expected, true, true.size, diffs, cdfs, diffs.size),
        )
    )
    out = {"true": {}, "logprob_diffs": {}, "chi2_cdf_evals": {}, "expected": expected}
    for j, k in enumerate(keys):
        key = TOTAL if k == -1 else k
        out["true"][key], out["logprob_diffs"][key], out["chi2_cdf_evals"][key] = true[j], diffs[j], cdfs[j]
    return out


def _label_coords(pdf, labels):
    """Labels in intrinsic or embedding coordinates, told apart by their width (as upstream)."""
    width = np.shape(labels)[-1] if np.ndim(labels) else -1
    name = "intrinsic" if width == pdf.total_target_dim_intrinsic else "embedding"
    return name, pdf._coords(name)


def coverage_and_or_pdf_scan(
    pdf,
    labels=None,
    conditional_input=None,
    amortization_parameters=None,
    coverage_num_percentile_points=100,
    sub_manifolds=[-1],
    exact_coverage_calculation=False,
    save_pdf_scan=False,
    calculate_MAP=False,
    method="auto",
    samples=10000,
    grid_points=None,
    credible_levels=(0.5, 0.68, 0.9),
    seed=None,
    contours=False,
    conditioning_samples=200,
):
    """Approximate coverage of the labels and, on request, the exact HPD coverage, the MAP and
    the scan of the PDF (one scan per conditional row, one for an unconditional PDF; one per
    row of amortization_parameters for an amortize_everything PDF), on every manifold
    combination. See docs/statistics.md for the methods and the keys of the result.

    sub_manifolds: -1 scans the whole PDF (the top-level keys); an index k scans the marginal
    PDF of sub-manifold k on its own grid or HEALPix mesh, with the results under
    ``result["marginals"][k]`` (the same keys, in the sub-manifold's coordinates; labels are
    points of the whole PDF, of which part k is used). The marginal of a later sub-manifold is
    the mean of its conditional factor over conditioning_samples samples of the PDF."""
    exact = boolean(exact_coverage_calculation, "exact_coverage_calculation")
    save = boolean(save_pdf_scan, "save_pdf_scan")
    want_map = boolean(calculate_MAP, "calculate_MAP")
    want_contours = boolean(contours, "contours")
    if method not in _METHODS:
        raise ValueError(f"method: expected one of {sorted(_METHODS)}, got {method!r}")
    keys = list(dict.fromkeys(_keys(sub_manifolds, pdf._n_subs)))
    out = {}
    n = 0
    x = None
    label_coords = pdf._coords("intrinsic")[0]
    if labels is not None:
        name, (label_coords, dim) = _label_coords(pdf, labels)
        x = as_rows(labels, "labels", dim)
        n = x.shape[0]
        approx = approximate_coverage(
            pdf, x, conditional_input=conditional_input, amortization_parameters=amortization_parameters,
            num_percentile_points=coverage_num_percentile_points,
            sub_manifolds=[-1], force_embedding_coordinates=name == "embedding", force_intrinsic_coordinates=name == "intrinsic",
        )
        out["approx_cov_values"] = approx["chi2_cdf_evals"][TOTAL]
        out["logprob_diffs_base"] = approx["logprob_diffs"][TOTAL]
        emb = x if name == "embedding" else pdf.transform_target_space(x, transform_from="intrinsic", transform_to="embedding")[0]
        out["log_pdf_labels"], out["log_pdf_base_labels"], _ = pdf.forward(
            emb, conditional_input=conditional_input, force_embedding_coordinates=True, amortization_parameters=amortization_parameters
        )
    if not (exact or save or want_map or want_contours):
        return out
    cond = pdf._cond_rows(conditional_input, None)
    amort = _heads.amortization_rows(pdf, amortization_parameters, n or (None if cond is None else cond.shape[0]))
    if cond is not None and n and cond.shape[0] != n:
        raise ValueError(f"conditional_input: has {cond.shape[0]} rows, labels has {n} (one label per conditional row)")
    levels = np.ascontiguousarray(credible_levels, dtype=np.float64).ravel()
    opts = _api.ScanOptions(
        method=_METHODS[method], save_scan=int(save), samples=positive_int(samples, "samples"),
        grid_points=0 if grid_points is None else positive_int(grid_points, "grid_points"),
        levels=levels.ctypes.data_as(ctypes.POINTER(ctypes.c_double)), levels_len=levels.size, seed=seed_for(seed),
        contours=int(want_contours),
    )
    scan_args = (x if n else None, n, 0 if x is None else x.size, label_coords, cond, 0 if cond is None else cond.size)
    wanted = (exact, save, want_map, want_contours)
    if -1 in keys:
        _scan(pdf, "gj_pdf_coverage_scan", (pdf.handle,), amort, scan_args, opts, levels, n, wanted, None, out)
    marginals = [k for k in keys if k != -1]
    if marginals:
        m = positive_int(conditioning_samples, "conditioning_samples")
        out["marginals"] = {}
        for k in marginals:
            out["marginals"][k] = {}
            _scan(pdf, "gj_pdf_coverage_scan_marginal", (pdf.handle, k, m), amort, scan_args, opts, levels, n, wanted, k, out["marginals"][k])
    return out


def _scan(pdf, name, head, amort, scan_args, opts, levels, n, wanted, sub, out):
    """Run the scan export name (of the whole PDF for sub None, else of the marginal of
    sub-manifold sub) and copy the wanted results into ``out``."""
    exact, save, want_map, want_contours = wanted
    scan = ctypes.c_uint64(0)
    check(_heads.call(name, amort, head + scan_args, (ctypes.byref(opts), ctypes.byref(scan))))
    try:
        _read_scan(pdf, scan.value, levels, n, exact, save, want_map, sub, out)
        if want_contours:
            out["contours"] = _read_contours(scan.value, levels)
    finally:
        check(lib().gj_scan_free(scan.value))


def _embedding(kind, maps):
    """Points (rows) of a sub-manifold of kind ("s2", "e3", ...) from intrinsic to embedding
    coordinates."""
    if kind == "s2":
        return _unit(maps[:, 0], maps[:, 1])
    if kind == "s1":
        return np.stack([np.cos(maps[:, 0]), np.sin(maps[:, 0])], axis=-1)
    return maps


def _read_scan(pdf, scan, levels, n, exact, save, want_map, sub, out):
    """Copy a scan's results (of the whole PDF for sub None, else of sub-manifold sub) into the
    result dictionary ``out``."""
    n_scans, n_labels, dim, n_levels = (ctypes.c_int64(0) for _ in range(4))
    method = ctypes.c_int(0)
    check(lib().gj_scan_dims(scan, *(ctypes.byref(v) for v in (n_scans, n_labels, dim, n_levels, method))))
    rows, dim = n_scans.value, dim.value
    out["scan_method"] = _METHOD_NAMES[method.value]
    if exact and n:
        log_pdf, cov, err = np.empty(n), np.empty(n), np.empty(n)
        check(lib().gj_scan_labels(scan, log_pdf, cov, err, n))
        out["real_cov_values"], out["real_cov_errors"] = cov, err
        if sub is not None:  # the labels' marginal log-densities (the whole PDF's are top-level)
            out["log_pdf_labels"] = log_pdf
    maps, map_log_pdf, volumes = np.empty((rows, dim)), np.empty(rows), np.empty((rows, n_levels.value))
    check(lib().gj_scan_maps(scan, maps, maps.size, map_log_pdf, volumes, volumes.size, rows))
    out["credible_levels"] = levels
    if out["scan_method"] != "sampling":
        out["credible_volumes"] = volumes
    if out["scan_method"] == "healpix":
        out["credible_areas_deg2"] = volumes * _SQUARE_DEGREES_PER_STERADIAN
    if want_map:
        out["map_log_pdf"] = map_log_pdf
        if sub is None:
            out["map_positions"] = pdf.transform_target_space(maps, transform_from="intrinsic", transform_to="embedding")[0]
        else:
            out["map_positions"] = _embedding(pdf.pdf_defs_list[sub], maps)
        if any(d.startswith("s") for d in (pdf.pdf_defs_list if sub is None else pdf.pdf_defs_list[sub : sub + 1])):
            out["map_positions_angles"] = maps
    if save:
        positions, log_evals, sizes = [], [], []
        for row in range(rows):
            cells = ctypes.c_int64(0)
            check(lib().gj_scan_cells(scan, row, ctypes.byref(cells), None, 0, None, None, 0))
            p, lp, v = np.empty((cells.value, dim)), np.empty(cells.value), np.empty(cells.value)
            check(lib().gj_scan_cells(scan, row, ctypes.byref(cells), p, p.size, lp, v, cells.value))
            positions.append(p)
            log_evals.append(lp)
            sizes.append(v)
        out["pdf_scan_positions"], out["pdf_scan_log_evals"], out["pdf_scan_volume_sizes"] = positions, log_evals, sizes


def _read_contours(scan, levels):
    """Per scan, a dict level -> list of (m, 2) arrays: the boundary lines of the credible
    regions (intrinsic coordinates)."""
    n_scans = ctypes.c_int64(0)
    check(lib().gj_scan_dims(scan, ctypes.byref(n_scans), None, None, None, None))
    out = []
    for row in range(n_scans.value):
        per_level = {}
        for j, level in enumerate(levels):
            n_lines, n_points = ctypes.c_int64(0), ctypes.c_int64(0)
            check(lib().gj_scan_contours(scan, row, j, ctypes.byref(n_lines), ctypes.byref(n_points), None, 0, None, 0))
            starts = (ctypes.c_int64 * (n_lines.value + 1))()
            points = np.empty((n_points.value, 2))
            check(
                lib().gj_scan_contours(
                    scan, row, j, ctypes.byref(n_lines), ctypes.byref(n_points), starts, n_lines.value + 1, points, points.size
                )
            )
            per_level[float(level)] = [points[starts[k] : starts[k + 1]] for k in range(n_lines.value)]
        out.append(per_level)
    return out
