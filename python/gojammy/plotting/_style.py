"""The look shared by all plots (colours, markers, contour labels) and the handling of one
conditional input row."""

import numpy as np

#: Colours of successive HPD contours (matplotlib's tab10, as upstream's sky maps).
CONTOUR_COLORS = ["tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple", "tab:brown"]

#: How true values are marked: a red star (points) or a red line (1-d).
TRUE_VALUE_STYLE = dict(color="red", marker="*", ms=10, mec="white", mew=0.6, lw=0, zorder=5)
TRUE_LINE_STYLE = dict(color="red", lw=2.0)


def contour_labels(levels, probs):
    """clabel format: each density threshold labelled with its probability in percent."""
    return {lev: f"{100 * p:g} %" for lev, p in zip(levels, probs)}


def one_conditional_row(pdf, conditional_input):
    """The single conditional row a plot of a conditional PDF is drawn for, as a (1, d) array
    (for a PDF with one conditional input per sub-manifold, a list of them); None for an
    unconditional PDF."""
    if conditional_input is None:
        if getattr(pdf, "conditional_input_dim", None):
            raise ValueError("conditional_input: this PDF is conditional, pass the one conditional input row to plot")
        return None
    if isinstance(conditional_input, (list, tuple)):
        return [None if c is None else _one_row(c) for c in conditional_input]
    return _one_row(conditional_input)


def _one_row(c):
    c = np.asarray(c, dtype=np.float64)
    if c.ndim == 1:
        c = c[None, :]
    if c.ndim != 2 or c.shape[0] != 1:
        raise ValueError(f"conditional_input: expected one row (shape (d,) or (1, d)), got shape {c.shape}")
    return c


def repeat_rows(cond, n):
    """The conditional row(s) of one_conditional_row repeated n times (None stays None)."""
    if cond is None:
        return None
    if isinstance(cond, list):
        return [None if c is None else np.repeat(c, n, axis=0) for c in cond]
    return np.repeat(cond, n, axis=0)
