"""Corner-style plots of any PDF, with the functions and arguments of upstream's
``jammy_flows.helper_fns.plotting.general`` (visualize_pdf, plot_joint_pdf,
show_sample_contours, plot_density_with_contours).

Everything is drawn in intrinsic coordinates (angles for spheres). PDFs of one or two
dimensions show their density on a grid with its highest-density (HPD) contours; higher
dimensions show a corner plot of samples: 2-d histograms with HPD contours of the samples below
the diagonal and 1-d histograms on it.
"""

import re

import numpy as np

from ..grid_functions import (
    get_basic_gridlines,
    get_pdf_on_grid,
    obtain_bins_and_visualization_regions,
    s2_columns,
    spherical_to_cartesian_lambert,
)
from . import _mpl
from ._hpd import find_contour_levels
from ._style import TRUE_LINE_STYLE, TRUE_VALUE_STYLE, contour_labels, one_conditional_row, repeat_rows

def coordinate_labels(pdf, lambert=False):
    """Axis labels of the intrinsic coordinates: x for Euclidean axes, φ for s1, θ and φ for s2
    (with lambert, the Lambert coordinates x_L and y_L), each with the index of its sub-manifold
    when there are several."""
    labels = []
    many = len(pdf.pdf_defs_list) > 1
    for k, kind in enumerate(pdf.pdf_defs_list):
        dim = int(re.match(r"[a-z](\d+)", kind).group(1))
        suffix = f"$_{{{k}}}$" if many else ""
        if kind == "s2" and lambert:
            names = ["x$_L$", "y$_L$"]
        elif kind.startswith("s"):
            names = ["φ"] if dim == 1 else ["θ", "φ"]
        else:
            names = [f"x{j}" if dim > 1 else "x" for j in range(dim)]
        labels += [n + suffix for n in names]
    return labels


def _draw_hpd_contours(ax, x, y, density, volume, contour_probs, color):
    """HPD contours of a density on a grid (x, y cell centres, density[ix, iy]); returns the
    contour set, or None when the density is too flat to separate the levels."""
    if not contour_probs:
        return None
    levels = find_contour_levels(contour_probs, density, volume)
    order = np.argsort(levels)
    levels = levels[order]
    if np.any(np.diff(levels) <= 0) or levels[0] <= 0:
        return None
    probs = [contour_probs[i] for i in order]
    cs = ax.contour(x, y, density.T, levels=levels, colors=color, linewidths=1.2)
    ax.clabel(cs, fontsize=8, inline=True, fmt=contour_labels(levels, probs))
    cs.contour_probs = probs
    return cs


def show_sample_contours(ax, samples, bins=50, color="white", contour_probs=[0.68, 0.95], sin_zen_mask=[0, 0]):  # noqa: B006
    """HPD contours of 2-d samples from their histogram (``bins`` as numpy.histogram2d takes
    it). Returns the contours' bounding box [[x_min, x_max], [y_min, y_max]] ([[-1, 1], [-1, 1]]
    when no contour could be drawn, as upstream). sin_zen_mask is accepted for upstream's
    signature."""
    samples = np.asarray(samples, dtype=np.float64)
    fill, xe, ye = np.histogram2d(samples[:, 0], samples[:, 1], bins=bins, density=True)
    xc, yc = 0.5 * (xe[1:] + xe[:-1]), 0.5 * (ye[1:] + ye[:-1])
    volume = np.outer(np.diff(xe), np.diff(ye))
    cs = _draw_hpd_contours(ax, xc, yc, fill, volume, list(contour_probs), color)
    if cs is None or not any(len(seg) for seg in cs.allsegs[0]):
        return [[-1.0, 1.0], [-1.0, 1.0]]
    pts = np.concatenate([seg for seg in cs.allsegs[0] if len(seg)])
    return [[pts[:, 0].min(), pts[:, 0].max()], [pts[:, 1].min(), pts[:, 1].max()]]


def plot_density_with_contours(ax, log_evals, evalpositions, bin_volumes, pts_per_dim, color="black",
                               contour_probs=[0.68, 0.95]):  # noqa: B006
    """The density exp(log_evals) on a 2-d grid (evalpositions[ix, iy] = (x, y)) as a colour
    map with its HPD contours and a colour bar; pts_per_dim is accepted for upstream's
    signature. Returns the colour mesh."""
    evalpositions = np.asarray(evalpositions)
    x, y = evalpositions[:, 0, 0], evalpositions[0, :, 1]
    density = np.exp(np.asarray(log_evals, dtype=np.float64))
    mesh = ax.pcolormesh(x, y, density.T, shading="auto", cmap="viridis", rasterized=True)
    _draw_hpd_contours(ax, x, y, np.nan_to_num(density), bin_volumes, list(contour_probs), color)
    ax.figure.colorbar(mesh, ax=ax)
    return mesh


def _lambert_view(pdf, samples, truth, rotate_to_truth):
    """Samples and true values with every S2 part in Lambert coordinates (around the true
    direction when rotate_to_truth and truth is given, else around the south pole), and the
    Lambert centre (fix point or None) of each S2 part's first column."""
    samples = samples.copy()
    truth = None if truth is None else truth.copy()
    centres = {}
    for lo in s2_columns(pdf):
        centres[lo] = truth[lo:lo + 2].copy() if rotate_to_truth and truth is not None else None
        samples[:, lo:lo + 2] = spherical_to_cartesian_lambert(samples[:, lo:lo + 2], fix_point=centres[lo])
        if truth is not None:
            truth[lo:lo + 2] = spherical_to_cartesian_lambert(truth[lo:lo + 2], fix_point=centres[lo])[0]
    return samples, truth, centres


def _draw_gridlines(ax, lambert_centre=None, lambert=False):
    """Upstream's lines of constant zenith and azimuth, in the Lambert view when lambert."""
    for line in get_basic_gridlines():
        if lambert:
            line = spherical_to_cartesian_lambert(line, fix_point=lambert_centre)
        ax.plot(line[:, 0], line[:, 1], color="gray", alpha=0.5, lw=0.8)


def _subgrid(fig, gridspec, subgridspec, dim):
    """The sub-grid and its axes (attribute ``axdict``): one axes for 1 or 2 dimensions, the lower
    triangle of a corner plot above."""
    if subgridspec is not None:
        return subgridspec
    if dim <= 2:
        subgridspec = gridspec.subgridspec(1, 1)
        subgridspec.axdict = {"ax": fig.add_subplot(subgridspec[0, 0])}
        return subgridspec
    subgridspec = gridspec.subgridspec(dim, dim, hspace=0.06, wspace=0.06)
    subgridspec.axdict = {(i, j): fig.add_subplot(subgridspec[i, j]) for i in range(dim) for j in range(i + 1)}
    return subgridspec


def _merge_bounds(subgridspec, bounds):
    """Widen the bounds attached to the sub-grid (several PDFs drawn into one) by bounds."""
    old = getattr(subgridspec, "visualization_bounds", None)
    if old is not None:
        bounds = [(min(a[0], b[0]), max(a[1], b[1])) for a, b in zip(old, bounds)]
    subgridspec.visualization_bounds = bounds
    return bounds


def plot_joint_pdf(pdf, fig, gridspec, samples, subgridspec=None, conditional_input=None, bounds=None, multiplot=False,
                   total_pdf_eval_pts=10000, true_values=None, plot_only_contours=False, contour_probs=[0.68, 0.95],  # noqa: B006
                   contour_color="white", autoscale=True, skip_plotting_density=False, hide_labels=False,
                   s2_norm="standard", colormap="rainbow", s2_rotate_to_true_value=True, s2_show_gridlines=True,
                   skip_plotting_samples=False, var_names=[], relative_buffer=0.1, vis_percentiles=[3.0, 97.0],  # noqa: B006
                   show_relative_std=0, use_outlier_binning=False, **kwargs):
    """Draw samples (intrinsic coordinates) of pdf into gridspec, as upstream's plot_joint_pdf:
    for 1 and 2 dimensions with the density on a grid of total_pdf_eval_pts points (unless
    skip_plotting_density) and its HPD contours at contour_probs (without the density, the
    histogram of the samples and their HPD contours in contour_color), else a corner plot of
    the samples. true_values are marked in red; kwargs "labels" (one per coordinate, default the
    coordinate names) and "color_1d" as upstream. Returns (subgridspec, total_pdf_integral), the
    latter the density's sum over the grid times the grid's bin volume (0 when no density is
    drawn; get_pdf_on_grid's grid).

    s2_norm="lambert" draws S2 parts in upstream's Lambert equal-area view
    (:mod:`gojammy.grid_functions`): samples, true values and density in Lambert coordinates,
    centred on the true direction when s2_rotate_to_true_value and true_values are given,
    the density per unit area of the view (per steradian), so total_pdf_integral ≈ 1 over the
    full disc. s2_show_gridlines draws lines of constant zenith and azimuth on a 2-d S2 plot.
    autoscale and use_outlier_binning are accepted for upstream's signature and change
    nothing."""
    samples = np.asarray(samples, dtype=np.float64)
    dim = samples.shape[1]
    cond = one_conditional_row(pdf, conditional_input)
    truth = None if true_values is None else np.asarray(true_values, dtype=np.float64).ravel()
    lambert = s2_norm == "lambert"
    lambert_centres = {}
    if lambert:
        samples, truth, lambert_centres = _lambert_view(pdf, samples, truth, s2_rotate_to_true_value)
    plot_density = dim <= 2 and not skip_plotting_density
    num_bins = int(np.clip(np.sqrt(len(samples)) / 3, 15, 50))  # upstream's 50 for 22500 samples and more
    vis, eval_bounds, edges = obtain_bins_and_visualization_regions(samples, pdf, vis_percentiles, relative_buffer, num_bins,
                                                                    s2_norm=s2_norm)
    if bounds is not None:
        vis = eval_bounds = [tuple(b) for b in bounds]
        edges = [np.linspace(lo, hi, num_bins + 1) for lo, hi in vis]
    labels = list(kwargs.get("labels") or var_names or coordinate_labels(pdf, lambert=lambert))
    if len(labels) != dim:
        raise ValueError(f"labels: expected {dim} labels, got {len(labels)}")
    subgridspec = _subgrid(fig, gridspec, subgridspec, dim)
    vis = _merge_bounds(subgridspec, vis)
    total_pdf_integral = 0.0
    if plot_density:
        pts_per_dim = max(2, int(round(total_pdf_eval_pts ** (1.0 / dim))))
        positions, log_evals, volume, _, _ = get_pdf_on_grid(eval_bounds, pts_per_dim, pdf, conditional_input=cond,
                                                             s2_norm=s2_norm, s2_rotate_to_true_value=s2_rotate_to_true_value,
                                                             true_values=true_values)
        positions, log_evals = positions[0], log_evals[0]
        total_pdf_integral = float(np.sum(np.exp(log_evals[np.isfinite(log_evals)])) * volume)

    if dim == 1:
        ax = subgridspec.axdict["ax"]
        if not skip_plotting_samples:
            ax.hist(samples[:, 0], bins=edges[0], density=True, color="C0", alpha=0.6, label="samples")
        if plot_density:
            ax.plot(positions[:, 0], np.exp(log_evals), color="k", label="PDF")
        if truth is not None:
            ax.axvline(truth[0], **TRUE_LINE_STYLE)
        ax.set_xlim(*vis[0])
        ax.set_xlabel(labels[0])
    elif dim == 2 and not multiplot:
        ax = subgridspec.axdict["ax"]
        if plot_density:
            plot_density_with_contours(ax, log_evals, positions, volume, pts_per_dim, color="black", contour_probs=contour_probs)
        elif not (plot_only_contours or skip_plotting_samples):
            ax.hist2d(samples[:, 0], samples[:, 1], bins=edges, density=True, cmap=colormap, cmin=1e-20)
        if contour_probs and not (plot_density or skip_plotting_samples):
            show_sample_contours(ax, samples, bins=edges, color=contour_color, contour_probs=contour_probs)
        if s2_show_gridlines and pdf.pdf_defs_list == ["s2"]:
            _draw_gridlines(ax, lambert_centres.get(0), lambert)
        if truth is not None:
            ax.plot([truth[0]], [truth[1]], **TRUE_VALUE_STYLE)
        ax.set_xlim(*vis[0])
        ax.set_ylim(*vis[1])
        ax.set_xlabel(labels[0])
        ax.set_ylabel(labels[1])
    else:
        _corner(subgridspec, samples, edges, vis, truth, labels, contour_probs, contour_color, colormap,
                plot_only_contours, kwargs.get("color_1d", "black"), show_relative_std)
    if hide_labels:
        for ax in subgridspec.axdict.values():
            ax.set_xticklabels([])
            ax.set_yticklabels([])
    return subgridspec, total_pdf_integral


def _corner(subgridspec, samples, edges, vis, truth, labels, contour_probs, contour_color, colormap, plot_only_contours,
            color_1d, show_relative_std):
    """The corner plot of samples: 2-d histograms with HPD contours below the diagonal, 1-d
    histograms on it; tick labels only on the outer axes."""
    dim = samples.shape[1]
    for (i, j), ax in subgridspec.axdict.items():
        if i == j:
            ax.hist(samples[:, i], bins=edges[i], histtype="step", density=True, color=color_1d)
            if show_relative_std:
                ax.set_title(f"{0.5 * (vis[i][1] - vis[i][0]) / np.std(samples[:, i]):.1f}", fontsize=8)
            if truth is not None:
                ax.axvline(truth[i], **TRUE_LINE_STYLE)
            ax.set_yticks([])
        else:
            if not plot_only_contours:
                ax.hist2d(samples[:, j], samples[:, i], bins=[edges[j], edges[i]], density=True, cmap=colormap, cmin=1e-20)
                ax.set_facecolor(_mpl.pyplot().get_cmap(colormap)(0.0))  # empty bins in the colour of zero
            if contour_probs:
                show_sample_contours(ax, samples[:, [j, i]], bins=[edges[j], edges[i]], color=contour_color,
                                     contour_probs=contour_probs)
            if truth is not None:
                ax.plot([truth[j]], [truth[i]], **TRUE_VALUE_STYLE)
            ax.set_ylim(*vis[i])
            if j == 0:
                ax.set_ylabel(labels[i])
            else:
                ax.set_yticklabels([])
        ax.set_xlim(*vis[j])
        if i == dim - 1:
            ax.set_xlabel(labels[j])
            ax.tick_params(axis="x", labelrotation=45)
        else:
            ax.set_xticklabels([])


def visualize_pdf(pdf, fig, gridspec=None, subgridspec=None, conditional_input=None, nsamples=10000, total_pdf_eval_pts=10000,
                  bounds=None, true_values=None, plot_only_contours=False, contour_probs=[0.68, 0.95], contour_color="white",  # noqa: B006
                  autoscale=True, seed=None, skip_plotting_density=False, hide_labels=False, s2_norm="standard",
                  colormap="rainbow", s2_rotate_to_true_value=True, s2_show_gridlines=True, skip_plotting_samples=False,
                  var_names=[], num_iterative_steps=-1, relative_vis_buffer=0.1, vis_percentiles=[2.0, 98.0],  # noqa: B006
                  show_relative_std=0, use_outlier_binning=False, **kwargs):
    """Upstream's visualize_pdf: draw nsamples samples of pdf (for one row of
    conditional_input of a conditional PDF) into gridspec of fig (default: the whole figure)
    with plot_joint_pdf. Returns (samples (nsamples, intrinsic dim), subgridspec,
    total_pdf_integral); subgridspec.axdict holds the axes ("ax" for 1 and 2 dimensions, (row,
    column) in a corner plot). num_iterative_steps > 0 draws the samples in that many batches,
    as upstream; "dtype" and "device" keyword arguments are accepted (float64 on the CPU)."""
    _mpl.pyplot()
    cond = one_conditional_row(pdf, conditional_input)
    steps = num_iterative_steps if num_iterative_steps > 0 else 1
    if nsamples % steps:
        raise ValueError(f"num_iterative_steps: {num_iterative_steps} does not divide nsamples={nsamples}")
    per_step = nsamples // steps
    samples = np.concatenate([
        pdf.sample(conditional_input=repeat_rows(cond, per_step), samplesize=per_step,
                   seed=None if seed is None else seed + step, force_intrinsic_coordinates=True)[0]
        for step in range(steps)
    ])
    if gridspec is None:
        gridspec = fig.add_gridspec(1, 1)[0, 0]
    kwargs.pop("dtype", None)
    kwargs.pop("device", None)
    subgridspec, total_pdf_integral = plot_joint_pdf(
        pdf, fig, gridspec, samples, subgridspec=subgridspec, conditional_input=cond, bounds=bounds,
        total_pdf_eval_pts=total_pdf_eval_pts, true_values=true_values, plot_only_contours=plot_only_contours,
        contour_probs=contour_probs, contour_color=contour_color, skip_plotting_density=skip_plotting_density,
        hide_labels=hide_labels, s2_norm=s2_norm, colormap=colormap, s2_rotate_to_true_value=s2_rotate_to_true_value,
        s2_show_gridlines=s2_show_gridlines, skip_plotting_samples=skip_plotting_samples,
        var_names=var_names, relative_buffer=relative_vis_buffer, vis_percentiles=vis_percentiles,
        show_relative_std=show_relative_std, **kwargs,
    )
    return samples, subgridspec, total_pdf_integral
