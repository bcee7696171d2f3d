#!/usr/bin/env python3
"""A conditional direction posterior on S2: p(direction | observation), its sky map and a
coverage check.

A toy "detector" observes two numbers c = (a, b) per event; the true direction scatters around
a mean direction that moves with c, with a von Mises-Fisher spread whose concentration also
depends on c (sharp events and blurred ones). A conditional gojammy PDF on s2 learns the
posterior from simulated (c, direction) pairs. The script then draws the sky map of one test
event with its 50 % and 90 % regions and its true direction, checks calibration with the exact
highest-density coverage of held-out events (a P-P plot on the diagonal), and plots the training
curves. Run with `make examples` (pictures into build/) or:

    python examples/s2_posterior.py --out-dir build
"""

import argparse
import os
import time

import numpy as np

import gojammy


def mean_direction(c):
    """(theta, phi) of the mean direction for observations c (n, 2)."""
    return np.pi / 2 + 0.9 * c[:, 0], np.pi + 2.0 * c[:, 1]


def concentration(c):
    """The von Mises-Fisher concentration kappa of the true directions for observations c."""
    return np.exp(3.5 + 1.2 * c[:, 0] - 0.8 * c[:, 1])


def sample_vmf(theta0, phi0, kappa, rng):
    """One direction per row from a von Mises-Fisher distribution around (theta0, phi0):
    cos of the angle to the mean by the inverse CDF, the azimuth around it uniform."""
    n = len(kappa)
    u = rng.random(n)
    w = 1 + np.log(u + (1 - u) * np.exp(-2 * kappa)) / kappa  # cosine of the angle to the mean
    psi = rng.uniform(0, 2 * np.pi, n)
    s = np.sqrt(np.clip(1 - w**2, 0, None))
    mean = np.stack([np.sin(theta0) * np.cos(phi0), np.sin(theta0) * np.sin(phi0), np.cos(theta0)], axis=1)
    # an orthonormal frame (e1, e2) perpendicular to the mean
    e1 = np.cross(mean, np.where(np.abs(mean[:, 2:3]) < 0.9, [[0, 0, 1]], [[1, 0, 0]]))
    e1 /= np.linalg.norm(e1, axis=1, keepdims=True)
    e2 = np.cross(mean, e1)
    v = w[:, None] * mean + s[:, None] * (np.cos(psi)[:, None] * e1 + np.sin(psi)[:, None] * e2)
    return np.stack([np.arccos(np.clip(v[:, 2], -1, 1)), np.mod(np.arctan2(v[:, 1], v[:, 0]), 2 * np.pi)], axis=1)


def simulate(n, seed):
    """n events: observations c (n, 2) and true directions (n, 2) as (theta, phi)."""
    rng = np.random.default_rng(seed)
    c = rng.uniform(-1, 1, size=(n, 2))
    return c, sample_vmf(*mean_direction(c), concentration(c), rng)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=20000, help="training events")
    ap.add_argument("--epochs", type=int, default=15)
    ap.add_argument("--coverage-events", type=int, default=200, help="held-out events for the coverage check")
    ap.add_argument("--out-dir", default="build", help="where the pictures go")
    args = ap.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)

    c, x = simulate(args.events, seed=1)
    c_val, x_val = simulate(2000, seed=2)
    pdf = gojammy.pdf("s2", "fff", conditional_input_dim=2, amortization_mlp_dims="64", seed=1)
    t0 = time.perf_counter()
    history = pdf.fit(x, conditional_input=c, epochs=args.epochs, batch_size=200, learning_rate=5e-3,
                      validation_data=(x_val, c_val), seed=1, progress=False)
    print(f"trained {args.epochs} epochs on {args.events} events in {time.perf_counter() - t0:.1f} s: "
          f"validation loss {history['val_loss'][0]:.3f} -> {min(history['val_loss']):.3f}")

    c_test, x_test = simulate(args.coverage_events, seed=3)
    res = pdf.coverage_and_or_pdf_scan(labels=x_test, conditional_input=c_test, exact_coverage_calculation=True,
                                       samples=2000, credible_levels=(0.5, 0.9), seed=4)
    inside90 = np.mean(res["real_cov_values"] < 0.9)
    print(f"coverage: {100 * inside90:.1f} % of {len(x_test)} true directions inside their 90 % region; "
          f"median 90 % area {np.median(res['credible_areas_deg2'][:, 1]):.0f} deg²")

    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        from gojammy.plotting import plot_coverage, plot_sky, plot_training_history
    except ImportError:
        print("matplotlib not installed: no pictures (pip install 'gojammy[plot]')")
        return
    event = 0
    fig, axes = plot_sky(pdf, conditional_input=c_test[event], true_values=x_test[event], contour_probs=(0.5, 0.9),
                         samplesize=5000, seed=5)
    fig.suptitle(f"posterior of test event {event}: c = ({c_test[event, 0]:.2f}, {c_test[event, 1]:.2f}); red star: truth")
    fig.savefig(os.path.join(args.out_dir, "s2_posterior_sky.png"), dpi=110)
    fig, ax = plot_coverage([res["real_cov_values"], res["approx_cov_values"]],
                            labels=["exact HPD coverage", "approximate (base-space χ²)"])
    ax.set_title(f"calibration on {len(x_test)} held-out events")
    fig.savefig(os.path.join(args.out_dir, "s2_posterior_coverage.png"), dpi=110)
    fig, ax = plot_training_history(history)
    fig.savefig(os.path.join(args.out_dir, "s2_posterior_training.png"), dpi=110)
    plt.close("all")
    print(f"wrote s2_posterior_sky.png, s2_posterior_coverage.png, s2_posterior_training.png into {args.out_dir}")


if __name__ == "__main__":
    main()
