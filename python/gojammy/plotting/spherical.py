"""Sky maps of S2 PDFs: a Mollweide view of the whole sphere and a zoomed gnomonic view around
the most probable direction, with adaptive HEALPix pixels and highest-density contours.

Directions are (zenith theta, azimuth phi) in radians as everywhere in gojammy. The Mollweide
view runs the azimuth from 0 (left) to 360 degrees (right) and the zenith from 0 (top) to 180
degrees (bottom), as upstream's ``mollview_azimuth`` axes; with projection_type="dec_ra" it
shows declination and right ascension instead (see :func:`equatorial_frame`). A PDF on S2
alone is scanned on the library's adaptive HEALPix mesh (``pdf.coverage_and_or_pdf_scan``:
cells refined where the probability is) and its contours are drawn on the density itself; the S2 part of a larger PDF
(e.g. ``e2+s2``) is shown as a multi-resolution histogram of samples (upstream's
``use_density_if_possible=False``), since its marginal density has no closed form.
"""

import copy

import numpy as np

from ..grid_functions import _unit
from . import _healpix, _mpl
from ._hpd import find_contour_levels
from ._style import CONTOUR_COLORS, TRUE_VALUE_STYLE, contour_labels, one_conditional_row, repeat_rows

_DEG = 180.0 / np.pi


def _angles(v):
    """(theta, phi) of vectors (..., 3), phi in [0, 2 pi)."""
    v = v / np.linalg.norm(v, axis=-1, keepdims=True)
    return np.arccos(np.clip(v[..., 2], -1.0, 1.0)), np.mod(np.arctan2(v[..., 1], v[..., 0]), 2 * np.pi)


class SkyDensity:
    """A direction PDF prepared for drawing: adaptive HEALPix cells with their densities (per
    steradian), the densest direction, the density thresholds of the requested HPD regions, and
    weighted points (cell centres or samples) that locate the probability.

    Built by :func:`sky_density`; ``density(theta, phi)`` evaluates the density at any directions
    (the PDF itself where it is known, else the cell containing each direction).
    """

    def __init__(self, cells, areas, center, contour_probs, points, weights, evaluate=None):
        self.cells = cells
        self.areas = areas
        self.center = center
        self.contour_probs = list(contour_probs)
        self.levels = find_contour_levels(self.contour_probs, cells.values, areas) if self.contour_probs else np.array([])
        self._points = points
        self._weights = weights
        self._evaluate = evaluate

    def density(self, theta, phi):
        """Density per steradian at the directions (theta, phi)."""
        if self._evaluate is not None:
            return self._evaluate(theta, phi)
        return self.cells.lookup(theta, phi)

    def seen_from(self, matrix):
        """This density in another frame: the direction with unit vector v appears at
        ``matrix @ v`` (matrix orthogonal: a rotation, or a reflection of the sphere)."""
        out = copy.copy(self)
        out.cells = _ReframedCells(self.cells, matrix)
        center = _angles(matrix @ _unit(*self.center))
        out.center = (float(center[0]), float(center[1]))
        out._points = _angles(_unit(*self._points) @ matrix.T)
        out._evaluate = lambda theta, phi: self.density(*_angles(_unit(theta, phi) @ matrix))
        return out

    def radius_containing(self, probability):
        """Largest angle (radians) between the centre and the densest points that together hold
        ``probability``."""
        theta, phi = self._points
        order = np.argsort(self.cells.lookup(theta, phi))[::-1]
        mass = np.cumsum(self._weights[order])
        keep = order[: int(np.searchsorted(mass / mass[-1], probability)) + 1]
        return float(np.max(np.arccos(np.clip(_unit(theta[keep], phi[keep]) @ _unit(*self.center), -1.0, 1.0))))


class _ReframedCells:
    """The cells of a MultiResolutionMap looked up in another frame (see SkyDensity.seen_from)."""

    def __init__(self, cells, matrix):
        self._cells = cells
        self._matrix = matrix

    def lookup(self, theta, phi):
        """Value of the cell containing each direction (theta, phi) of the new frame."""
        return self._cells.lookup(*_angles(_unit(theta, phi) @ self._matrix))


def equatorial_frame(declination_trafo_function=None):
    """The matrix taking unit vectors of gojammy's (zenith, azimuth) frame to those of the
    equatorial frame with zenith 90° - declination and azimuth right ascension.

    declination_trafo_function(theta, phi) -> (dec, ra) (arrays in radians) is the change of
    frame, e.g. from a detector's local coordinates to the sky at the time of an event; it must
    be a rotation (or reflection) of the sphere, which is checked. None: the PDF's directions
    already are equatorial, dec = 90° - theta and ra = phi (the identity).
    """
    if declination_trafo_function is None:
        return np.eye(3)
    probes = np.array([[np.pi / 2, 0.0], [np.pi / 2, np.pi / 2], [0.0, 0.0], [0.9553166181245093, np.pi / 4]])
    dec, ra = (np.asarray(v, dtype=np.float64).ravel() for v in declination_trafo_function(probes[:, 0], probes[:, 1]))
    if dec.shape != (4,) or ra.shape != (4,):
        raise ValueError("declination_trafo_function: expected (dec, ra) arrays of the same length as its (theta, phi)")
    images = _unit(np.pi / 2 - dec, ra)
    matrix = images[:3].T  # columns: the images of the x, y and z axes
    diagonal = _unit(*probes[3])  # (1, 1, 1) / sqrt(3)
    if not (np.allclose(matrix.T @ matrix, np.eye(3), atol=1e-6) and np.allclose(matrix @ diagonal, images[3], atol=1e-6)):
        raise ValueError("declination_trafo_function: must be a change of frame (a rotation or reflection of the sphere), "
                         "mapping the axes of (theta, phi) to orthonormal directions in (dec, ra)")
    return matrix


def _check_s2_index(pdf, sub_pdf_index):
    kinds = pdf.pdf_defs_list
    if not 0 <= sub_pdf_index < len(kinds) or kinds[sub_pdf_index] != "s2":
        raise ValueError(f"sub_pdf_index: sub-manifold {sub_pdf_index} of {pdf.pdf_defs!r} is not s2")


def _s2_samples(pdf, cond, sub_pdf_index, samplesize, seed):
    """(theta, phi) of samplesize samples of the S2 sub-manifold sub_pdf_index (for the
    conditional row cond of one_conditional_row)."""
    samples = pdf.sample(conditional_input=repeat_rows(cond, samplesize), samplesize=samplesize, seed=seed,
                         force_intrinsic_coordinates=True)[0]
    lo, _ = pdf.target_dim_indices_intrinsic[sub_pdf_index]
    return samples[:, lo], samples[:, lo + 1]


def sky_density(pdf, conditional_input=None, sub_pdf_index=0, samplesize=10000, max_entries_per_pixel=5,
                use_density_if_possible=True, contour_probs=(0.68, 0.95), seed=None):
    """Prepare the S2 sub-manifold ``sub_pdf_index`` of ``pdf`` for a sky map (a :class:`SkyDensity`).

    A PDF on S2 alone (with use_density_if_possible) is scanned on the library's adaptive HEALPix
    mesh with ``samplesize`` guide samples; otherwise ``samplesize`` samples are histogrammed on
    a multi-resolution HEALPix grid (cells split while they hold more than
    ``max_entries_per_pixel`` samples). A conditional PDF needs one row of conditional_input.
    """
    _check_s2_index(pdf, sub_pdf_index)
    cond = one_conditional_row(pdf, conditional_input)
    if use_density_if_possible and pdf.pdf_defs_list == ["s2"]:
        scan = pdf.coverage_and_or_pdf_scan(
            conditional_input=cond, save_pdf_scan=True, calculate_MAP=True, method="healpix", samples=samplesize, seed=seed
        )
        pos, areas = scan["pdf_scan_positions"][0], scan["pdf_scan_volume_sizes"][0]
        dens = np.exp(scan["pdf_scan_log_evals"][0])
        orders = _healpix.order_of_area(areas)
        pixels = np.empty(len(orders), dtype=np.int64)
        for order in np.unique(orders):
            at = orders == order
            pixels[at] = _healpix.ang2pix_nest(int(order), pos[at, 0], pos[at, 1])
        cells = _healpix.MultiResolutionMap(orders, pixels, dens)

        def evaluate(theta, phi):
            x = _unit(np.ravel(theta), np.ravel(phi))
            log_pdf = pdf(x, conditional_input=repeat_rows(cond, len(x)), force_embedding_coordinates=True)[0]
            return np.exp(log_pdf).reshape(np.shape(theta))

        center = tuple(scan["map_positions_angles"][0])
        return SkyDensity(cells, areas, center, contour_probs, (pos[:, 0], pos[:, 1]), dens * areas, evaluate)
    theta, phi = _s2_samples(pdf, cond, sub_pdf_index, samplesize, seed)
    cells, areas = _healpix.sample_histogram(theta, phi, max_entries_per_pixel)
    # the centre: the mean direction of the samples in the densest cell
    densest = np.argmax(cells.values)
    inside = _healpix.ang2pix_nest(int(cells.orders[densest]), theta, phi) == cells.pixels[densest]
    center = _angles(_unit(theta[inside], phi[inside]).mean(axis=0))
    return SkyDensity(cells, areas, (float(center[0]), float(center[1])), contour_probs, (theta, phi), np.ones(theta.size))


def get_multiresolution_evals(pdf, conditional_input=None, sub_pdf_index=0, samplesize=10000, max_entries_per_pixel=5,
                              use_density_if_possible=True, seed=None):
    """Upstream's get_multiresolution_evals: mesh the sphere of the S2 sub-manifold
    ``sub_pdf_index`` with HEALPix cells of several sizes, split while they hold more than
    max_entries_per_pixel of ``samplesize`` samples, and give the PDF on the cells.

    For a PDF on S2 alone (with use_density_if_possible) the density per steradian is evaluated
    at the cells' centres; otherwise it is the histogram of the samples, count / (samplesize x
    area) (upstream evaluates the density for sub_pdf_index 0 of any PDF, which fails unless the
    PDF is S2 alone). A conditional PDF needs one row of conditional_input. Returns
    (eval_positions (n, 2) = (theta, phi) of the cell centres, log_pdf (n,) or None for the
    histogram, pdf_evals (n,), eval_areas (n,) in steradians, moc_map): moc_map, standing in
    for upstream's mhealpy map, is a :class:`~gojammy.plotting._healpix.MultiResolutionMap` of
    the cells (orders, NESTED pixel numbers) with pdf_evals as values."""
    _check_s2_index(pdf, sub_pdf_index)
    cond = one_conditional_row(pdf, conditional_input)
    cells, areas = _healpix.sample_histogram(*_s2_samples(pdf, cond, sub_pdf_index, samplesize, seed), max_entries_per_pixel)
    positions = np.empty((len(areas), 2))
    for order in np.unique(cells.orders):
        at = cells.orders == order
        positions[at] = np.stack(_healpix.pix2ang_nest(int(order), cells.pixels[at]), axis=1)
    if not (use_density_if_possible and pdf.pdf_defs_list == ["s2"]):
        return positions, None, cells.values, areas, cells
    x = _unit(positions[:, 0], positions[:, 1])
    log_pdf = pdf(x, conditional_input=repeat_rows(cond, len(x)), force_embedding_coordinates=True)[0]
    pdf_evals = np.exp(log_pdf)
    return positions, log_pdf, pdf_evals, areas, _healpix.MultiResolutionMap(cells.orders, cells.pixels, pdf_evals)


def _draw_contours(ax, x, y, field, sky, colors):
    """HPD contours of ``field`` (densities on the raster x, y) at the thresholds of sky."""
    if not len(sky.levels):
        return None
    order = np.argsort(sky.levels)  # matplotlib wants increasing levels
    levels = sky.levels[order]
    if np.any(np.diff(levels) <= 0) or not np.isfinite(field).any():
        return None
    probs = [sky.contour_probs[i] for i in order]
    cs = ax.contour(x, y, np.nan_to_num(field, nan=0.0), levels=levels, colors=[colors[i] for i in order], linewidths=1.5)
    ax.clabel(cs, fmt=contour_labels(levels, probs), fontsize=8, inline=True)
    cs.contour_probs = probs
    return cs


def _image(ax, x, y, values, log_scale, cmap):
    mcolors = _mpl.module("colors")
    finite = values[np.isfinite(values) & (values > 0)]
    norm = None
    if log_scale and finite.size:
        norm = mcolors.LogNorm(vmin=max(finite.max() * 1e-6, finite.min()), vmax=finite.max())
    return ax.pcolormesh(x, y, np.where(values > 0, values, np.nan), norm=norm, cmap=cmap, shading="auto", rasterized=True)


#: The two conventions of the sky maps: zenith and azimuth as upstream's mollview_azimuth axes,
#: or declination and right ascension as astronomers draw the sky (seen from inside).
PROJECTION_TYPES = ("zen_azi", "dec_ra")


def _check_projection_type(projection_type):
    if projection_type not in PROJECTION_TYPES:
        raise ValueError(f"projection_type: expected one of {PROJECTION_TYPES}, got {projection_type!r}")


def _mollweide_longitude(phi, projection_type):
    """Mollweide longitude (-pi..pi, left to right) of the azimuth (right ascension) phi."""
    return phi - np.pi if projection_type == "zen_azi" else np.pi - phi


def _mollweide_azimuth(lon, projection_type):
    """The azimuth (right ascension) in [0, 2 pi] of the Mollweide longitude lon (the inverse
    of _mollweide_longitude)."""
    return lon + np.pi if projection_type == "zen_azi" else np.pi - lon


def draw_mollweide(ax, sky, true_values=None, log_scale=True, cmap="viridis", contour_colors=CONTOUR_COLORS,
                   draw_pixels=True, draw_contours=True, resolution=180, projection_type="zen_azi"):
    """Draw ``sky`` (a :class:`SkyDensity`) on ``ax``, an axes with matplotlib's "mollweide"
    projection. projection_type "zen_azi": azimuth 0..360 degrees from left to right, zenith
    0..180 degrees from top to bottom; "dec_ra": sky's directions read as (90° - declination,
    right ascension), right ascension 360..0 degrees from left to right (east to the left),
    declination -90..90 degrees from bottom to top. true_values = (theta, phi) in the frame of
    sky. Returns (image, contour set), either None when not drawn."""
    _check_projection_type(projection_type)
    lon = np.linspace(-np.pi, np.pi, 2 * resolution + 1)
    lat = np.linspace(-np.pi / 2, np.pi / 2, resolution + 1)
    lon_c, lat_c = 0.5 * (lon[1:] + lon[:-1]), 0.5 * (lat[1:] + lat[:-1])
    glon, glat = np.meshgrid(lon_c, lat_c)
    theta, phi = np.pi / 2 - glat, _mollweide_azimuth(glon, projection_type)
    img = _image(ax, lon, lat, sky.cells.lookup(theta, phi), log_scale, cmap) if draw_pixels else None
    cs = _draw_contours(ax, glon, glat, sky.density(theta, phi), sky, contour_colors) if draw_contours else None
    if true_values is not None:
        t, p = np.asarray(true_values, dtype=np.float64)[:2]
        ax.plot([_mollweide_longitude(p, projection_type)], [np.pi / 2 - t], **TRUE_VALUE_STYLE)
    ticks = np.array([-120, -60, 0, 60, 120])
    ax.set_xticks(np.radians(ticks))
    ax.set_yticks(np.radians([-60, -30, 0, 30, 60]))
    if projection_type == "zen_azi":
        ax.set_xticklabels([f"{v + 180}°" for v in ticks], color="white")
        ax.set_yticklabels(["150°", "120°", "90°", "60°", "30°"])
        ax.set_xlabel("azimuth")
        ax.set_ylabel("zenith")
    else:
        ax.set_xticklabels([f"{180 - v}°" for v in ticks], color="white")
        ax.set_yticklabels(["-60°", "-30°", "0°", "30°", "60°"])
        ax.set_xlabel("right ascension")
        ax.set_ylabel("declination")
    ax.grid(True, color="gray", alpha=0.5)
    return img, cs


def _tangent_frame(center):
    """Orthonormal (c, e_east, e_north) at the direction center = (theta, phi)."""
    t, p = center
    c = _unit(t, p)
    east = np.array([-np.sin(p), np.cos(p), 0.0])
    north = np.array([-np.cos(t) * np.cos(p), -np.cos(t) * np.sin(p), np.sin(t)])  # towards smaller zenith
    return c, east, north


def gnomonic(center, theta, phi):
    """Gnomonic (tangent-plane) coordinates of directions around ``center``, scaled by 180/π so
    that they are degrees near the centre (a direction at angle a from it lies at distance
    tan(a)·180/π): x towards increasing azimuth, y towards decreasing zenith; NaN on the far
    hemisphere."""
    c, east, north = _tangent_frame(center)
    v = _unit(np.asarray(theta, dtype=np.float64), np.asarray(phi, dtype=np.float64))
    d = v @ c
    with np.errstate(divide="ignore", invalid="ignore"):
        x = np.where(d > 0, (v @ east) / d, np.nan)
        y = np.where(d > 0, (v @ north) / d, np.nan)
    return x * _DEG, y * _DEG


def gnomonic_inverse(center, x, y):
    """(theta, phi) of the gnomonic coordinates x, y (degrees) around ``center``."""
    c, east, north = _tangent_frame(center)
    v = c + (np.asarray(x)[..., None] / _DEG) * east + (np.asarray(y)[..., None] / _DEG) * north
    return _angles(v)


def draw_gnomonic(ax, sky, radius, true_values=None, log_scale=True, cmap="viridis", contour_colors=CONTOUR_COLORS,
                  draw_pixels=True, draw_contours=True, resolution=160, projection_type="zen_azi"):
    """Draw ``sky`` on a plain axes as a gnomonic view centred on ``sky.center`` reaching
    ``radius`` radians from it (at most 60 degrees), with lines of constant zenith and azimuth
    (for projection_type "dec_ra": declination and right ascension, which grows to the left).
    true_values = (theta, phi) in the frame of sky. Returns (image, contour set)."""
    _check_projection_type(projection_type)
    half = np.tan(min(radius, np.radians(60.0))) * _DEG
    edges = np.linspace(-half, half, resolution + 1)
    mid = 0.5 * (edges[1:] + edges[:-1])
    gx, gy = np.meshgrid(mid, mid)
    theta, phi = gnomonic_inverse(sky.center, gx, gy)
    img = _image(ax, edges, edges, sky.cells.lookup(theta, phi), log_scale, cmap) if draw_pixels else None
    cs = _draw_contours(ax, gx, gy, sky.density(theta, phi), sky, contour_colors) if draw_contours else None
    equatorial = projection_type == "dec_ra"
    _graticule(ax, sky.center, theta, phi, declination=equatorial)
    if true_values is not None:
        tx, ty = gnomonic(sky.center, *np.asarray(true_values, dtype=np.float64)[:2])
        ax.plot([tx], [ty], **TRUE_VALUE_STYLE)
    ax.set_ylim(-half, half)
    ax.set_aspect("equal")
    center_deg = np.degrees(sky.center)
    if equatorial:
        ax.set_xlim(half, -half)  # east (growing right ascension) to the left
        ax.set_xlabel("gnomonic x [deg] (← right ascension)")
        ax.set_ylabel("gnomonic y [deg] (declination ↑)")
        ax.set_title(f"around δ={90 - center_deg[0]:.2f}°, α={center_deg[1]:.2f}°", fontsize=9)
    else:
        ax.set_xlim(-half, half)
        ax.set_xlabel("gnomonic x [deg] (azimuth →)")
        ax.set_ylabel("gnomonic y [deg] (zenith ↑)")
        ax.set_title(f"around θ={center_deg[0]:.2f}°, φ={center_deg[1]:.2f}°", fontsize=9)
    return img, cs


def _graticule(ax, center, theta, phi, declination=False):
    """Lines of constant zenith and azimuth through the gnomonic view (about five each), the
    azimuths taken relative to the centre's so that a view across phi = 0 or a pole works;
    zenith lines labelled with the declination 90° - theta when declination."""
    t_lo, t_hi = np.nanmin(theta), np.nanmax(theta)
    offsets = np.mod(phi - center[1] + np.pi, 2 * np.pi) - np.pi
    d_lo, d_hi = np.nanmin(offsets), np.nanmax(offsets)
    along_phi = center[1] + np.linspace(d_lo, d_hi, 300)
    along_theta = np.linspace(t_lo, t_hi, 300)
    lines = []
    step = _nice_step(np.degrees(t_hi - t_lo) / 5)
    for v in np.arange(np.ceil(np.degrees(t_lo) / step) * step, np.degrees(t_hi), step):
        lines.append((np.full_like(along_phi, np.radians(v)), along_phi, 90.0 - v if declination else v))
    step = _nice_step(np.degrees(d_hi - d_lo) / 5)
    start = np.degrees(center[1] + d_lo)
    for v in np.arange(np.ceil(start / step) * step, np.degrees(center[1] + d_hi), step):
        lines.append((along_theta, np.full_like(along_theta, np.radians(v)), np.mod(v, 360.0)))
    for t, p, label in lines:
        x, y = gnomonic(center, t, p)
        ax.plot(x, y, color="gray", lw=0.6, alpha=0.6)
        shown = np.flatnonzero(np.isfinite(x))
        if shown.size:
            mid = shown[shown.size // 2]
            ax.annotate(f"{label:g}°", (x[mid], y[mid]), fontsize=6, color="gray")


def _nice_step(raw):
    """1, 2 or 5 times a power of ten, at least raw."""
    if not raw > 0:
        return 1.0
    exp = np.floor(np.log10(raw))
    for m in (1, 2, 5, 10):
        if m * 10**exp >= raw:
            return float(m * 10**exp)
    return float(10 ** (exp + 1))


def _projected(sky, true_values, projection_type, declination_trafo_function):
    """sky and true_values in the frame of projection_type: for "dec_ra" through
    equatorial_frame(declination_trafo_function), for "zen_azi" as they are."""
    _check_projection_type(projection_type)
    if projection_type == "zen_azi":
        if declination_trafo_function is not None:
            raise ValueError("declination_trafo_function: only used with projection_type='dec_ra'")
        return sky, true_values
    matrix = equatorial_frame(declination_trafo_function)
    if true_values is not None:
        true_values = _angles(matrix @ _unit(*np.asarray(true_values, dtype=np.float64)[:2]))
    return sky.seen_from(matrix), true_values


def plot_sky(pdf, conditional_input=None, sub_pdf_index=None, true_values=None, contour_probs=(0.5, 0.9),
             samplesize=10000, zoom=True, zoom_contained_prob_mass=0.97, fig=None, seed=None, log_scale=True,
             cmap="viridis", max_entries_per_pixel=20, projection_type="zen_azi", declination_trafo_function=None):
    """Sky map of an S2 (sub-)PDF: the Mollweide view of the whole sphere and, with zoom, a
    gnomonic view around the densest direction holding zoom_contained_prob_mass of the
    probability; adaptive HEALPix pixels, HPD contours at contour_probs, and true_values =
    (theta, phi) marked with a red star. sub_pdf_index: which S2 sub-manifold (default: the
    first); conditional_input: one row for a conditional PDF; max_entries_per_pixel: the
    resolution of the histogram of samples that stands for the S2 part of a larger PDF;
    projection_type "zen_azi" (zenith and azimuth) or "dec_ra" (declination and right
    ascension, through declination_trafo_function, see :func:`equatorial_frame`). Returns
    (fig, axes)."""
    plt = _mpl.pyplot()
    if sub_pdf_index is None:
        if "s2" not in pdf.pdf_defs_list:
            raise ValueError(f"pdf: {pdf.pdf_defs!r} has no s2 sub-manifold for a sky map")
        sub_pdf_index = pdf.pdf_defs_list.index("s2")
    sky = sky_density(pdf, conditional_input, sub_pdf_index, samplesize, max_entries_per_pixel,
                      contour_probs=contour_probs, seed=seed)
    sky, true_values = _projected(sky, true_values, projection_type, declination_trafo_function)
    if fig is None:
        fig = plt.figure(figsize=(13 if zoom else 8, 4.8))
    grid = fig.add_gridspec(1, 2, width_ratios=[1.8, 1]) if zoom else fig.add_gridspec(1, 1)
    axes = [fig.add_subplot(grid[0, 0], projection="mollweide")]
    kw = dict(true_values=true_values, log_scale=log_scale, cmap=cmap, projection_type=projection_type)
    img, _ = draw_mollweide(axes[0], sky, **kw)
    if zoom:
        axes.append(fig.add_subplot(grid[0, 1]))
        radius = 1.3 * sky.radius_containing(zoom_contained_prob_mass)
        draw_gnomonic(axes[1], sky, radius, **kw)
    if img is not None:
        fig.colorbar(img, ax=axes, orientation="horizontal", fraction=0.06, shrink=0.5, pad=0.12,
                     label="PDF [1/sr]")
    return fig, np.array(axes)


def plot_multiresolution_healpy(pdf, fig=None, ax_to_plot=None, samplesize=10000, conditional_input=None, sub_pdf_index=0,
                                max_entries_per_pixel=5, draw_pixels=True, use_density_if_possible=True, log_scale=True,
                                cbar=True, cbar_kwargs={}, graticule=True, graticule_kwargs={}, draw_contours=True,  # noqa: B006
                                contour_probs=[0.68, 0.95], contour_colors=None, zoom=False,  # noqa: B006
                                zoom_contained_prob_mass=0.97, projection_type="zen_azi", declination_trafo_function=None,
                                show_grid=False):
    """Upstream's sky map of one S2 sub-manifold with adaptive HEALPix pixels and HPD contours
    (``jammy_flows.helper_fns.plotting.spherical.plot_multiresolution_healpy``, same arguments
    and return value: the axes drawn on). Drawn with matplotlib alone: the Mollweide projection,
    or with zoom=True a gnomonic view around the densest direction. ax_to_plot (with fig) is
    replaced by the new axes at its position. graticule_kwargs and show_grid are accepted for
    compatibility. projection_type "dec_ra" draws declination and right ascension (right
    ascension growing to the left) of the directions mapped by declination_trafo_function(theta,
    phi) -> (dec, ra), a change of frame (see :func:`equatorial_frame`; None: dec = 90° - theta,
    ra = phi). Upstream accepts "dec_ra" but draws zenith and azimuth all the same."""
    _check_projection_type(projection_type)
    plt = _mpl.pyplot()
    colors = list(contour_colors) if contour_colors is not None else CONTOUR_COLORS
    if len(colors) < len(contour_probs):
        raise ValueError(f"contour_colors: {len(colors)} colours for {len(contour_probs)} contour_probs")
    sky = sky_density(pdf, conditional_input, sub_pdf_index, samplesize, max_entries_per_pixel, use_density_if_possible,
                      contour_probs if draw_contours else ())
    sky, _ = _projected(sky, None, projection_type, declination_trafo_function)
    projection = None if zoom else "mollweide"
    if fig is None:
        if ax_to_plot is not None:
            raise ValueError("ax_to_plot: pass its figure as fig as well")
        fig = plt.figure(figsize=(8, 6))
        ax = fig.add_subplot(1, 1, 1, projection=projection)
    else:
        if ax_to_plot is None:
            raise ValueError("ax_to_plot: pass the axes to draw on together with fig")
        old = np.ravel(np.asarray(ax_to_plot, dtype=object))
        box = old[0].get_position()
        for a in old[1:]:
            box = box.union([box, a.get_position()])
        for a in old:
            a.remove()
        ax = fig.add_axes(box, projection=projection)
    kw = dict(log_scale=log_scale, contour_colors=colors, draw_pixels=draw_pixels, draw_contours=draw_contours,
              projection_type=projection_type)
    if zoom:
        img, _ = draw_gnomonic(ax, sky, 1.3 * sky.radius_containing(zoom_contained_prob_mass), **kw)
    else:
        img, _ = draw_mollweide(ax, sky, **kw)
    if not graticule:
        ax.grid(False)
    if cbar and img is not None:
        fig.colorbar(img, ax=ax, **{"orientation": "horizontal", "pad": 0.05, "fraction": 0.1, "shrink": 0.5,
                                    "aspect": 25, "label": "PDF value", **cbar_kwargs})
    return ax
