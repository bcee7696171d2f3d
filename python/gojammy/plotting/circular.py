"""Circular plots of S1 PDFs: the density around the circle in polar axes, with the histogram
of samples and the highest-density arcs."""

import numpy as np

from . import _mpl
from ._hpd import find_contour_levels
from ._style import CONTOUR_COLORS, TRUE_LINE_STYLE, one_conditional_row, repeat_rows


def plot_circular(pdf, conditional_input=None, sub_pdf_index=None, true_values=None, contour_probs=(0.5, 0.9),
                  samplesize=10000, points=720, fig=None, ax=None, seed=None):
    """Polar plot of an S1 sub-manifold (default: the first): the density (for a PDF on S1
    alone, else the histogram of samples only) as the radius over the angle φ, counter-clockwise
    from the right, the histogram of samplesize samples, and the HPD arcs at contour_probs drawn
    as coloured bands inside the circle; true_values (the angle) as a red ray. For a conditional
    PDF pass one row of conditional_input. Returns (fig, ax); ax.hpd_arcs maps each probability
    to its list of (start, end) angle intervals."""
    plt = _mpl.pyplot()
    if sub_pdf_index is None:
        if "s1" not in pdf.pdf_defs_list:
            raise ValueError(f"pdf: {pdf.pdf_defs!r} has no s1 sub-manifold for a circular plot")
        sub_pdf_index = pdf.pdf_defs_list.index("s1")
    if pdf.pdf_defs_list[sub_pdf_index] != "s1":
        raise ValueError(f"sub_pdf_index: sub-manifold {sub_pdf_index} of {pdf.pdf_defs!r} is not s1")
    cond = one_conditional_row(pdf, conditional_input)
    if ax is None:
        fig = fig or plt.figure(figsize=(5, 5))
        ax = fig.add_subplot(1, 1, 1, projection="polar")
    fig = ax.figure
    col = pdf.target_dim_indices_intrinsic[sub_pdf_index][0]
    samples = pdf.sample(conditional_input=repeat_rows(cond, samplesize), samplesize=samplesize, seed=seed,
                         force_intrinsic_coordinates=True)[0][:, col]
    edges = np.linspace(0, 2 * np.pi, 73)
    hist, _ = np.histogram(samples, bins=edges, density=True)
    ax.bar(0.5 * (edges[1:] + edges[:-1]), hist, width=np.diff(edges), color="C0", alpha=0.4, label="samples")
    centres = (np.arange(points) + 0.5) * (2 * np.pi / points)
    if pdf.pdf_defs_list == ["s1"]:
        density = np.exp(pdf(centres[:, None], conditional_input=repeat_rows(cond, points), force_intrinsic_coordinates=True)[0])
        ax.plot(np.append(centres, centres[0]), np.append(density, density[0]), color="k", label="PDF")
    else:
        density = hist[np.searchsorted(edges, centres, side="right") - 1]  # the histogram bin of each point
    ax.hpd_arcs = {}
    top = max(density.max(), hist.max())
    if contour_probs:
        levels = find_contour_levels(list(contour_probs), density, 2 * np.pi / points)
        for k, (p, lev) in enumerate(sorted(zip(contour_probs, levels), reverse=True)):
            inside = density >= lev
            ax.hpd_arcs[p] = _arcs(inside, centres, 2 * np.pi / points)
            radius = -0.08 * top * (k + 1)
            for a, b in ax.hpd_arcs[p]:
                arc = np.linspace(a, b, 50)
                ax.plot(arc, np.full_like(arc, radius), color=CONTOUR_COLORS[k], lw=4,
                        label=f"{100 * p:g} % HPD" if (a, b) == ax.hpd_arcs[p][0] else None)
        ax.set_rorigin(-0.08 * top * (len(contour_probs) + 1.5))
    if true_values is not None:
        ax.plot([float(np.ravel(true_values)[0])] * 2, [0, top], **TRUE_LINE_STYLE)
    ax.set_rlabel_position(90)
    ax.legend(loc="upper right", fontsize=7, bbox_to_anchor=(1.15, 1.12))
    return fig, ax


def _arcs(inside, centres, step):
    """(start, end) angles of the runs of True in inside (cells of width step around the
    circle; a run across 0 is reported as one arc ending beyond 2 pi)."""
    if inside.all():
        return [(0.0, 2 * np.pi)]
    if not inside.any():
        return []
    shift = int(np.argmin(inside))  # start the walk at a cell outside, so no run wraps
    rolled = np.roll(inside, -shift)
    arcs, start = [], None
    for i, v in enumerate(np.append(rolled, False)):
        if v and start is None:
            start = i
        elif not v and start is not None:
            a = centres[(start + shift) % len(centres)] - step / 2
            arcs.append((float(a), float(a + (i - start) * step)))
            start = None
    return arcs
