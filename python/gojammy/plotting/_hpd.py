"""Highest-posterior-density (HPD) levels of a density given on cells."""

import numpy as np


def find_contour_levels(contour_probs, pdf_evals, areas):
    """Density thresholds of the highest-density regions holding the probabilities contour_probs.

    pdf_evals are densities on cells of volume ``areas`` (an array, or one number for equal
    cells). The region of probability p is the set of densest cells whose probabilities
    (density x volume) add up to p; its threshold is the density where the cumulative sum
    reaches p, interpolated linearly between the two cells around it. Probabilities are taken
    relative to the total mass of the cells, so a truncated grid still gives levels of the
    plotted part. Returns one threshold per entry of contour_probs, in the same order (a larger
    probability gives a lower threshold).
    """
    dens = np.asarray(pdf_evals, dtype=np.float64).ravel()
    vol = np.broadcast_to(np.asarray(areas, dtype=np.float64), np.shape(pdf_evals)).ravel()
    finite = np.isfinite(dens) & np.isfinite(vol)
    dens, vol = dens[finite], vol[finite]
    if dens.size == 0:
        raise ValueError("pdf_evals: no finite density to take contour levels from")
    order = np.argsort(dens)[::-1]
    dens = dens[order]
    mass = np.cumsum(dens * vol[order])
    if mass[-1] <= 0:
        raise ValueError("pdf_evals: the cells carry no probability")
    mass /= mass[-1]
    probs = np.asarray(contour_probs, dtype=np.float64)
    if np.any((probs <= 0) | (probs >= 1)):
        raise ValueError(f"contour_probs: expected probabilities strictly between 0 and 1, got {list(contour_probs)}")
    # np.interp wants increasing abscissae: the cumulative mass is non-decreasing
    return np.interp(probs, mass, dens)
