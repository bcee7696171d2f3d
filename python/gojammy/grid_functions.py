"""PDFs evaluated on regular grids, and the Lambert equal-area view of the sphere: upstream's
``jammy_flows.helper_fns.grid_functions`` (obtain_bins_and_visualization_regions,
get_pdf_on_grid, spherical_to_cartesian_lambert, cartesian_lambert_to_spherical,
rotate_coords_to, get_basic_gridlines) with numpy arrays.

The Lambert view is upstream's: a direction at zenith theta and azimuth phi lies at
(2 cos(theta/2) cos phi, 2 cos(theta/2) sin phi) in the disc of radius 2, so the south pole
(theta = pi) is the centre and the north pole the rim. The map keeps areas (one steradian covers
an area of one), so the density per unit area of the view is the density per steradian,
p(theta, phi) / sin(theta) for the intrinsic density p. With a ``fix_point`` the sphere is first
rotated so that fix_point comes to the centre.

Needs numpy only (no matplotlib).
"""

import re

import numpy as np

__all__ = [
    "cartesian_lambert_to_spherical",
    "get_basic_gridlines",
    "get_pdf_on_grid",
    "manifold_ranges",
    "obtain_bins_and_visualization_regions",
    "rotate_coords_to",
    "s2_columns",
    "spherical_to_cartesian_lambert",
]

#: Radius of the Lambert disc: it holds the whole sphere (area 4 pi).
LAMBERT_RADIUS = 2.0

#: log-density given to grid points outside the manifold (outside the Lambert disc, outside a
#: simplex), as upstream: exp(-600) draws as zero.
MASKED_LOG_PDF = -600.0

_POLE_OFFSET = 1e-6

#: The views of S2 parts: zenith and azimuth, or the Lambert equal-area view.
S2_NORMS = ("standard", "lambert")


def _check_s2_norm(s2_norm):
    if s2_norm not in S2_NORMS:
        raise ValueError(f"s2_norm: expected one of {S2_NORMS}, got {s2_norm!r}")


def manifold_ranges(pdf):
    """Per intrinsic coordinate of pdf, the (low, high) limits of its manifold: +-inf on
    Euclidean axes, [0, 2 pi] for s1 and azimuths, [0, pi] for zenith angles, the bounds of an
    interval, [0, 1] on simplices."""
    out = []
    for kind in pdf.pdf_defs_list:
        m = re.match(r"([a-z])(\d+)(?:_([^_]+)_([^_]+))?$", kind)
        letter, dim = m.group(1), int(m.group(2))
        if letter == "e":
            out += [(-np.inf, np.inf)] * dim
        elif letter == "s":
            out += [(0.0, 2 * np.pi)] if dim == 1 else [(0.0, np.pi), (0.0, 2 * np.pi)]
        elif letter == "i":
            out += [(float(m.group(3)), float(m.group(4)))] if m.group(3) else [(0.0, 1.0)]
        else:  # simplex
            out += [(0.0, 1.0)] * dim
    return out


def obtain_bins_and_visualization_regions(samples, pdf, percentiles=(3.0, 97.0), relative_buffer=0.1, num_bins=50,
                                          s2_norm="standard"):
    """Plot ranges from samples: per coordinate the given percentiles widened by relative_buffer
    of their distance on each side and clamped to the manifold's limits (with
    s2_norm="lambert", the S2 coordinates are Lambert coordinates, clamped to [-2, 2]). Returns
    (visualization_bounds, density_eval_bounds, histogram_edges): the first two equal lists of
    (low, high), the last num_bins + 1 edges per coordinate."""
    _check_s2_norm(s2_norm)
    samples = np.asarray(samples, dtype=np.float64)
    limits = manifold_ranges(pdf)
    if s2_norm == "lambert":
        for k in s2_columns(pdf):
            limits[k] = limits[k + 1] = (-LAMBERT_RADIUS, LAMBERT_RADIUS)
    bounds = []
    for j, (lo_lim, hi_lim) in enumerate(limits):
        col = samples[:, j][np.isfinite(samples[:, j])]
        lo, hi = np.percentile(col, percentiles) if col.size else (lo_lim, hi_lim)
        width = hi - lo if hi > lo else 1.0
        lo, hi = max(lo - relative_buffer * width, lo_lim), min(hi + relative_buffer * width, hi_lim)
        bounds.append((float(lo), float(hi)))
    edges = [np.linspace(lo, hi, num_bins + 1) for lo, hi in bounds]
    return bounds, list(bounds), edges


def s2_columns(pdf):
    """The first intrinsic column (the zenith's) of each S2 sub-manifold of pdf."""
    return [pdf.target_dim_indices_intrinsic[k][0] for k, kind in enumerate(pdf.pdf_defs_list) if kind == "s2"]


def _unit(theta, phi):
    """Unit vectors (..., 3) of directions (theta, phi)."""
    st = np.sin(theta)
    return np.stack([st * np.cos(phi), st * np.sin(phi), np.cos(theta)], axis=-1)


def rotate_coords_to(theta, phi, target, reverse=False):
    """Rotate directions (theta, phi) by the rotation that takes ``target`` = (theta_t, phi_t)
    to the south pole (theta = pi), or with reverse=True by its inverse (the south pole back to
    target). The rotation turns about the horizontal axis z x target by pi - theta_t, as
    upstream's. Returns (theta, phi) with phi in [0, 2 pi)."""
    t_theta, t_phi = (float(v) for v in np.ravel(np.asarray(target, dtype=np.float64))[:2])
    axis = np.array([-np.sin(t_phi), np.cos(t_phi), 0.0])
    angle = (np.pi - t_theta) * (-1.0 if reverse else 1.0)
    v = _unit(np.asarray(theta, dtype=np.float64), np.asarray(phi, dtype=np.float64))
    # Rodrigues' formula
    rotated = (v * np.cos(angle) + np.cross(axis, v) * np.sin(angle)
               + np.multiply.outer(v @ axis, axis) * (1.0 - np.cos(angle)))
    new_theta = np.arccos(np.clip(rotated[..., 2], -1.0, 1.0))
    new_phi = np.mod(np.arctan2(rotated[..., 1], rotated[..., 0]), 2 * np.pi)
    return new_theta, new_phi


def spherical_to_cartesian_lambert(spherical, fix_point=None):
    """Lambert coordinates (n, 2) of directions spherical = (theta, phi) rows (n, 2), around
    the south pole or, with fix_point, around that direction."""
    spherical = np.asarray(spherical, dtype=np.float64).reshape(-1, 2)
    theta, phi = spherical[:, 0], spherical[:, 1]
    if fix_point is not None:
        theta, phi = rotate_coords_to(theta, phi, fix_point)
    r = LAMBERT_RADIUS * np.cos(theta / 2.0)
    return np.stack([r * np.cos(phi), r * np.sin(phi)], axis=1)


def cartesian_lambert_to_spherical(xl, fix_point=None):
    """Directions (n, 2) = (theta, phi), phi in [0, 2 pi), of Lambert coordinates xl (n, 2)
    (the inverse of spherical_to_cartesian_lambert); NaN outside the disc of radius 2."""
    xl = np.asarray(xl, dtype=np.float64).reshape(-1, 2)
    r = np.hypot(xl[:, 0], xl[:, 1])
    with np.errstate(invalid="ignore"):
        theta = 2.0 * np.arccos(r / LAMBERT_RADIUS)
    phi = np.mod(np.arctan2(xl[:, 1], xl[:, 0]), 2 * np.pi)
    if fix_point is not None:
        outside = ~np.isfinite(theta)
        theta, phi = rotate_coords_to(np.where(outside, 0.0, theta), phi, fix_point, reverse=True)
        theta[outside] = np.nan
    return np.stack([theta, phi], axis=1)


def get_basic_gridlines():
    """Lines of constant zenith (5, between 0.1 and pi - 0.1) and constant azimuth (10, every 36
    degrees), each an array (100, 2) of (theta, phi), as upstream's."""
    lines = []
    for zenith in np.linspace(0.1, np.pi - 0.1, 5):
        azimuths = np.linspace(0.0, 2 * np.pi, 100)
        lines.append(np.stack([np.full_like(azimuths, zenith), azimuths], axis=1))
    for azimuth in np.linspace(0.0, 2 * np.pi, 10, endpoint=False):
        zeniths = np.linspace(0.0, np.pi, 100)
        lines.append(np.stack([zeniths, np.full_like(zeniths, azimuth)], axis=1))
    return lines


def _conditional_rows(conditional_input):
    """The conditional input as a list of per-row blocks (array or list of arrays/None) and the
    number of rows; (None, 1) without conditional input."""
    if conditional_input is None:
        return None, 1
    if isinstance(conditional_input, (list, tuple)):
        blocks = [None if c is None else np.atleast_2d(np.asarray(c, dtype=np.float64)) for c in conditional_input]
        given = [b for b in blocks if b is not None]
        if not given:
            return None, 1
        rows = given[0].shape[0]
        return [[None if b is None else b[i:i + 1] for b in blocks] for i in range(rows)], rows
    block = np.atleast_2d(np.asarray(conditional_input, dtype=np.float64))
    return [block[i:i + 1] for i in range(block.shape[0])], block.shape[0]


def _repeat(row, n):
    if isinstance(row, list):
        return [None if b is None else np.repeat(b, n, axis=0) for b in row]
    return np.repeat(row, n, axis=0)


def _finite_range(mins_maxs, j):
    """mins_maxs[j] as a finite (low, high), or a ValueError naming coordinate j."""
    low, high = (float(v) for v in mins_maxs[j])
    if not (np.isfinite(low) and np.isfinite(high)):
        raise ValueError(f"mins_maxs: coordinate {j} needs a finite (low, high) range, got {tuple(mins_maxs[j])}")
    return low, high


def get_pdf_on_grid(mins_maxs, npts, model, conditional_input=None, s2_norm="standard", s2_rotate_to_true_value=False,
                    true_values=None):
    """The log-density of ``model`` on a regular grid of npts points per intrinsic coordinate
    (at least 2), as upstream's get_pdf_on_grid.

    Per sub-manifold the grid spans: for S2 with s2_norm="standard" the zenith range
    mins_maxs[k] (shrunk by 1e-4 at both ends) and all azimuths (1e-4 to 2 pi - 1e-4); for S2
    with s2_norm="lambert" the square [-2, 2]^2 of the Lambert view (see the module
    description; rotated to the S2 part of true_values when s2_rotate_to_true_value), whose
    values are densities per unit area of the view; for an interval its bounds (shrunk by 1e-5);
    else the range mins_maxs[k] of each coordinate. Points outside the Lambert disc or a simplex
    get log-density -600. conditional_input holds B rows (or, per sub-manifold, a list of such
    arrays); each row gets its own grid.

    Returns (positions (B, npts, ..., npts, D), log_evals (B, npts, ..., npts), bin_volume (the
    product of the grid spacings: sum(exp(log_evals[b])) * bin_volume approximates the
    integral), sin_zen_mask (a 0 per coordinate, as upstream), flagged_coords (an empty (0, 2)
    array: upstream lists points near the poles of its rotated S2 frame, where torch's
    evaluation can be unreliable; gojammy flags none)). As upstream, positions[b, i, j] =
    (x_i, y_j) in two dimensions (numpy.meshgrid's order, transposed).
    """
    _check_s2_norm(s2_norm)
    dim = sum(model.target_dims_intrinsic)
    if len(mins_maxs) != dim:
        raise ValueError(f"mins_maxs: expected {dim} (low, high) pairs, one per intrinsic coordinate, got {len(mins_maxs)}")
    n = max(2, int(npts))
    limits = manifold_ranges(model)
    sides, lambert_parts, simplex_parts = [], [], []
    for k, kind in enumerate(model.pdf_defs_list):
        lo, hi = model.target_dim_indices_intrinsic[k]
        if kind == "s2" and s2_norm == "lambert":
            sides += [np.linspace(-LAMBERT_RADIUS, LAMBERT_RADIUS, n)] * 2
            lambert_parts.append((lo, hi))
        elif kind == "s2":
            low, high = _finite_range(mins_maxs, lo)
            sides.append(np.linspace(low + 1e-4, high - 1e-4, n))
            sides.append(np.linspace(1e-4, 2 * np.pi - 1e-4, n))
        elif kind.startswith("i"):
            sides.append(np.linspace(limits[lo][0] + 1e-5, limits[lo][1] - 1e-5, n))
        else:
            sides += [np.linspace(*_finite_range(mins_maxs, j), n) for j in range(lo, hi)]
            if kind.startswith("c"):
                simplex_parts.append((lo, hi))
    bin_volume = float(np.prod([s[1] - s[0] for s in sides]))
    grid = np.asarray(np.meshgrid(*sides)).T  # upstream's point order
    positions = grid.reshape(-1, dim)
    evaluated = positions.copy()
    inside = np.ones(len(positions), dtype=bool)
    log_correction = np.zeros(len(positions))
    for lo, hi in lambert_parts:
        fix_point = None
        if s2_rotate_to_true_value and true_values is not None:
            fix_point = np.ravel(np.asarray(true_values, dtype=np.float64))[lo:hi]
        inside &= np.hypot(positions[:, lo], positions[:, lo + 1]) < LAMBERT_RADIUS
        evaluated[:, lo:hi] = cartesian_lambert_to_spherical(positions[:, lo:hi], fix_point=fix_point)
        # grid points closer than 1e-6 rad to a pole (the centre of the unrotated view is one)
        # are moved to 1e-6 rad from it: the intrinsic density takes sin(theta) at least 1e-7 rad
        # from the poles (geom.ThetaMargin, as jammy_flows), so closer to one, dividing by the
        # true sin(theta) would inflate it (10 times at 1e-8 rad); at 1e-6 rad the quotient
        # agrees with the density per steradian of embedding coordinates to 1e-14
        evaluated[:, lo] = np.clip(evaluated[:, lo], _POLE_OFFSET, np.pi - _POLE_OFFSET)
        with np.errstate(invalid="ignore"):
            log_correction -= np.log(np.sin(evaluated[:, lo]))
    for lo, hi in simplex_parts:
        inside &= positions[:, lo:hi].sum(axis=1) < 1.0
    rows, batch = _conditional_rows(conditional_input)
    points = evaluated[inside]
    log_evals = np.full((batch, len(positions)), MASKED_LOG_PDF)
    for b in range(batch):
        cond = None if rows is None else _repeat(rows[b], len(points))
        log_pdf = model(points, conditional_input=cond, force_intrinsic_coordinates=True)[0]
        log_evals[b, inside] = log_pdf + log_correction[inside]
    shape = (batch,) + (n,) * dim
    positions = np.broadcast_to(grid, shape + (dim,)).copy()
    return positions, log_evals.reshape(shape), bin_volume, [0] * dim, np.empty((0, 2))
