"""Diagnostics: coverage (P-P) plots of credible regions and training curves of ``pdf.fit``."""

import numpy as np

from . import _mpl


def plot_coverage(coverage_values, labels=None, errors=None, fig=None, ax=None, points=101, band=True):
    """P-P plot of coverage values: the fraction of events whose coverage is below each
    credible level p against p. coverage_values is one array of per-event coverages (e.g.
    ``res["real_cov_values"]`` of ``pdf.coverage_and_or_pdf_scan`` or
    ``res["chi2_cdf_evals"]["total"]`` of ``pdf.approximate_coverage``) or a list of them, with
    labels for the legend. A calibrated PDF follows the diagonal; with band the 95 % band of the
    empirical fraction of N uniform values (±1.96 √(p(1-p)/N)) is shaded. errors: per-event
    standard errors of the first array (e.g. "real_cov_errors" of a sampling scan), their mean
    shown in the legend when positive. The result dictionary
    of either coverage function may be passed as it is: its exact ("real_cov_values", with
    "real_cov_errors") and approximate coverages, or every sub-manifold's "chi2_cdf_evals".
    Returns (fig, ax)."""
    plt = _mpl.pyplot()
    if isinstance(coverage_values, dict):
        coverage_values, labels, errors = _series_of_result(coverage_values, labels)
    if ax is None:
        fig = fig or plt.figure(figsize=(5, 5))
        ax = fig.add_subplot(1, 1, 1)
    fig = ax.figure
    series = [coverage_values] if np.ndim(coverage_values[0]) == 0 else list(coverage_values)
    names = [labels] if isinstance(labels, str) else (labels or [None] * len(series))
    if len(names) != len(series):
        raise ValueError(f"labels: {len(names)} labels for {len(series)} coverage arrays")
    levels = np.linspace(0, 1, points)
    n_min = min(len(s) for s in series)
    if band:
        half = 1.96 * np.sqrt(levels * (1 - levels) / n_min)
        ax.fill_between(levels, levels - half, levels + half, color="gray", alpha=0.25, label=f"95 % band, N={n_min}")
    ax.plot([0, 1], [0, 1], color="k", lw=1, ls="--")
    for k, (values, name) in enumerate(zip(series, names)):
        v = np.asarray(values, dtype=np.float64)
        v = v[np.isfinite(v)]
        frac = np.searchsorted(np.sort(v), levels, side="right") / v.size
        if k == 0 and name and errors is not None and np.mean(errors) > 0:
            name = f"{name} (MC error {np.mean(errors):.1e})"
        ax.plot(levels, frac, color=f"C{k}", lw=1.8, label=name)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_aspect("equal")
    ax.set_xlabel("credible level")
    ax.set_ylabel("fraction of events inside")
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="upper left", fontsize=8)
    return fig, ax


def _series_of_result(result, labels):
    """(coverage arrays, labels, errors) from a result of pdf.coverage_and_or_pdf_scan or
    pdf.approximate_coverage."""
    if "chi2_cdf_evals" in result:
        keys = list(result["chi2_cdf_evals"])
        names = [f"approximate, {'whole PDF' if k == 'total' else f'sub-manifold {k}'}" for k in keys]
        return [result["chi2_cdf_evals"][k] for k in keys], labels or names, None
    series, names = [], []
    if "real_cov_values" in result:
        series.append(result["real_cov_values"])
        names.append("exact HPD coverage")
    if "approx_cov_values" in result:
        series.append(result["approx_cov_values"])
        names.append("approximate (base-space χ²)")
    if not series:
        raise ValueError("coverage_values: the result has no coverage values (pass labels= to the coverage function)")
    return series, labels or names, result.get("real_cov_errors")


def plot_training_history(history, fig=None, ax=None, log_scale=False, label=None):
    """Training curves from the dictionary ``pdf.fit`` returns: the mean training loss per
    epoch and, when present, the validation loss with its best epoch marked (the parameters
    fit keeps). A list of histories draws one pair of curves each (labels: a list). Returns
    (fig, ax)."""
    plt = _mpl.pyplot()
    if ax is None:
        fig = fig or plt.figure(figsize=(6, 4))
        ax = fig.add_subplot(1, 1, 1)
    fig = ax.figure
    histories = [history] if isinstance(history, dict) else list(history)
    names = [label] if not isinstance(label, (list, tuple)) else list(label)
    names += [None] * (len(histories) - len(names))
    for k, (h, name) in enumerate(zip(histories, names)):
        if "loss" not in h:
            raise ValueError("history: expected the dictionary pdf.fit returns, with a 'loss' list")
        prefix = f"{name}: " if name else ""
        epochs = np.arange(1, len(h["loss"]) + 1)
        ax.plot(epochs, h["loss"], color=f"C{k}", marker="o", ms=3, label=prefix + "training loss")
        val = np.asarray(h.get("val_loss") or [], dtype=np.float64)
        if val.size:
            ax.plot(epochs[: val.size], val, color=f"C{k}", ls="--", marker="s", ms=3, label=prefix + "validation loss")
            best = int(np.nanargmin(val))
            ax.plot([epochs[best]], [val[best]], marker="*", ms=12, color=f"C{k}", mec="k", lw=0, label=prefix + "best epoch")
    if log_scale:
        ax.set_yscale("symlog")
    ax.set_xlabel("epoch")
    ax.set_ylabel("mean negative log-likelihood")
    ax.legend(fontsize=8)
    ax.grid(True, alpha=0.3)
    return fig, ax
