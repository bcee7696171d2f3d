#!/usr/bin/env python3
"""Train in Python, evaluate in C++: the two-moons density trained with gojammy, saved to a
model file, evaluated on a grid by a C++ program (examples/cpp/density_grid.cpp, built by
`make examples` into build/density_grid), and the C++ numbers plotted and compared with
Python's.

    python examples/cpp_deployment.py --program build/density_grid --out-dir build
"""

import argparse
import os
import subprocess
import sys

import numpy as np

import gojammy

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from quickstart import two_moons  # noqa: E402 - the quickstart's data generator

BOX = (-1.5, 2.5, -1.0, 1.5)  # xmin, xmax, ymin, ymax of the evaluation grid


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--program", default="build/density_grid", help="the C++ program (make examples builds it)")
    ap.add_argument("--events", type=int, default=10000)
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--grid", type=int, default=150, help="grid points per axis")
    ap.add_argument("--out-dir", default="build")
    args = ap.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)

    rng = np.random.default_rng(1)
    data = two_moons(args.events, rng)
    pdf = gojammy.pdf("e2", "gggg", seed=1)
    pdf.init_params(data=data)
    history = pdf.fit(data, epochs=args.epochs, batch_size=500, learning_rate=1e-2,
                      validation_data=two_moons(2000, rng), seed=1, progress=False)
    model = os.path.join(args.out_dir, "two_moons.safetensors")
    pdf.save(model)
    print(f"trained in Python: validation loss {min(history['val_loss']):.3f}; saved {model}")

    table = os.path.join(args.out_dir, "two_moons_grid.txt")
    subprocess.run([args.program, model, table, *map(str, BOX), str(args.grid)], check=True)
    x, y, log_pdf_cpp = np.loadtxt(table, unpack=True)
    log_pdf_py = pdf(np.stack([x, y], axis=1))[0]
    diff = np.max(np.abs(log_pdf_cpp - log_pdf_py))
    print(f"C++ and Python log-densities on {len(x)} grid points: max |difference| = {diff:.1e}")
    if diff > 1e-12:
        raise SystemExit(f"C++ and Python disagree by {diff:.3g}")

    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        from gojammy.plotting import find_contour_levels, plot_training_history
    except ImportError:
        print("matplotlib not installed: no pictures (pip install 'gojammy[plot]')")
        return
    n = args.grid
    gx, gy = x.reshape(n, n), y.reshape(n, n)
    density = np.exp(log_pdf_cpp).reshape(n, n)
    fig, axes = plt.subplots(1, 3, figsize=(16, 4.5))
    axes[0].scatter(data[:3000, 0], data[:3000, 1], s=2, color="k", alpha=0.4)
    axes[0].set_title("training data (Python)")
    mesh = axes[1].pcolormesh(gx, gy, density, shading="auto", cmap="viridis")
    cell = (gx[0, 1] - gx[0, 0]) * (gy[1, 0] - gy[0, 0])
    levels = np.sort(find_contour_levels([0.5, 0.9], density, cell))
    cs = axes[1].contour(gx, gy, density, levels=levels, colors="white")
    axes[1].clabel(cs, fmt={levels[0]: "90 %", levels[1]: "50 %"}, fontsize=8)
    fig.colorbar(mesh, ax=axes[1], label="p(x) evaluated in C++")
    axes[1].set_title("density from build/density_grid (C++)")
    for ax in axes[:2]:
        ax.set_xlim(BOX[0], BOX[1])
        ax.set_ylim(BOX[2], BOX[3])
        ax.set_xlabel("x[0]")
        ax.set_ylabel("x[1]")
    plot_training_history(history, ax=axes[2])
    axes[2].set_title(f"training in Python; C++ = Python to {diff:.0e}")
    fig.tight_layout()
    out = os.path.join(args.out_dir, "cpp_deployment.png")
    fig.savefig(out, dpi=110)
    plt.close(fig)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
