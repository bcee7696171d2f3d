"""Plots of gojammy PDFs with matplotlib (an optional dependency, imported on first use:
``pip install 'gojammy[plot]'``).

Upstream's functions, same arguments and return values, so jammy_flows plotting scripts run
with a gojammy PDF:

* :func:`visualize_pdf`, :func:`plot_joint_pdf`, :func:`show_sample_contours`,
  :func:`plot_density_with_contours` (``jammy_flows.helper_fns.plotting.general``);
* :func:`plot_multiresolution_healpy` and :func:`get_multiresolution_evals`
  (``...plotting.spherical``), drawn with matplotlib alone;
* ``get_pdf_on_grid`` and the Lambert equal-area transforms are in :mod:`gojammy.grid_functions`
  (upstream's ``jammy_flows.helper_fns.grid_functions``); as upstream's, ``general`` imports
  get_pdf_on_grid too.

gojammy's own helpers return ``(fig, axes)``:

* :func:`plot_sky` — Mollweide and zoomed gnomonic views of an S2 (sub-)PDF with adaptive
  HEALPix pixels, HPD contours and an optional true direction;
* :func:`plot_circular` — an S1 PDF around the circle with its HPD arcs;
* :func:`plot_coverage` — coverage (P-P) curves from ``pdf.coverage_and_or_pdf_scan`` or
  ``pdf.approximate_coverage``;
* :func:`plot_training_history` — training and validation curves from ``pdf.fit``.

Example (writes a corner plot of a 3-d PDF)::

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import gojammy
    from gojammy.plotting import visualize_pdf

    pdf = gojammy.pdf("e3", "ggg", seed=1)
    fig = plt.figure(figsize=(6, 6))
    samples, subgrid, integral = visualize_pdf(pdf, fig, nsamples=2000, seed=2)
    fig.savefig("corner.png")
"""

from ._hpd import find_contour_levels
from .circular import plot_circular
from .diagnostics import plot_coverage, plot_training_history
from .general import (
    obtain_bins_and_visualization_regions,
    plot_density_with_contours,
    plot_joint_pdf,
    show_sample_contours,
    visualize_pdf,
)
from .spherical import get_multiresolution_evals, plot_multiresolution_healpy, plot_sky

__all__ = [
    "find_contour_levels",
    "get_multiresolution_evals",
    "obtain_bins_and_visualization_regions",
    "plot_circular",
    "plot_coverage",
    "plot_density_with_contours",
    "plot_joint_pdf",
    "plot_multiresolution_healpy",
    "plot_sky",
    "plot_training_history",
    "show_sample_contours",
    "visualize_pdf",
]
