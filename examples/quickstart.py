#!/usr/bin/env python3
"""gojammy quickstart: the seed example of jammy_flows, then a fit to a generated data set.

Run with `make quickstart` (or `python examples/quickstart.py` once gojammy is installed). It
runs jammy_flows' seed example as written (a 10-d PDF on R^4 x S^2 x R^4), then trains that model
on a generated data set with a progress bar, draws samples, evaluates log-densities, saves and
reloads the model, and draws its pictures with gojammy.plotting if matplotlib is installed
(quickstart.png, quickstart_training.png, quickstart_sky.png).

Any other model works by changing the MODEL line, e.g. MODEL = ("e4+s2+e4", "gggg+n+gggg").
"""

import argparse
import os
import time

import numpy as np

import gojammy

MODEL = ("e4+s2+e4", "gggg+n+gggg")


def sub_manifolds(pdf_defs):
    """Split a pdf_defs string into (kind, dimension, bounds) per sub-manifold."""
    out = []
    for part in pdf_defs.split("+"):
        fields = part.split("_")
        kind, dim = fields[0][0], int(fields[0][1:])
        bounds = (float(fields[1]), float(fields[2])) if len(fields) == 3 else (0.0, 1.0)
        out.append((kind, dim, bounds))
    return out


def two_moons(n, rng):
    """The classic two half-moons in the plane, with Gaussian noise."""
    t = rng.uniform(0, np.pi, n)
    upper = rng.random(n) < 0.5
    x = np.where(upper, np.cos(t), 1 - np.cos(t))
    y = np.where(upper, np.sin(t), 0.5 - np.sin(t))
    return np.stack([x, y], axis=1) + rng.normal(scale=0.1, size=(n, 2))


def make_data(pdf_defs, n, seed=0):
    """A structured data set on the manifolds of pdf_defs, in intrinsic coordinates.

    Euclidean parts start with two moons (further columns are noisy functions of the moons),
    an interval holds a Beta-distributed value whose shape follows the first coordinate, s1 an
    angle and s2 a (zenith, azimuth) pair clustered around a direction that moves with it.
    """
    rng = np.random.default_rng(seed)
    moons = two_moons(n, rng)
    driver = moons[:, 0]
    columns = []
    for kind, dim, (lo, hi) in sub_manifolds(pdf_defs):
        if kind == "e":
            for j in range(dim):
                col = moons[:, j % 2] + 0.3 * (j // 2) * moons[:, (j + 1) % 2] ** 2
                if len(columns) >= 2:  # every column after the first two moons gets its own noise
                    col = col + rng.normal(scale=0.2, size=n)
                columns.append(col)
        elif kind == "i":
            u = rng.beta(2 + 2 * np.clip(driver, 0, 2), 2 + 2 * np.clip(1 - driver, 0, 2))
            columns.append(lo + (hi - lo) * u)
        elif kind == "s" and dim == 1:
            columns.append(np.mod(np.pi + 0.8 * driver + rng.vonmises(0.0, 4.0, n), 2 * np.pi))
        elif kind == "s" and dim == 2:
            zen = np.clip(np.pi / 2 + 0.6 * driver - 0.3 + rng.normal(scale=0.2, size=n), 0.05, np.pi - 0.05)
            columns.append(zen)
            columns.append(np.mod(np.pi + 0.8 * driver + rng.normal(scale=0.3, size=n), 2 * np.pi))
        else:
            raise ValueError(f"make_data: no generator for sub-manifold {kind}{dim}")
    return np.stack(columns, axis=1)


def plot(path, model, history):
    """The trained model's pictures with gojammy.plotting: a corner plot of its samples (path),
    its training curves (path with _training) and, for a model with an s2 part, its sky map
    (path with _sky). Returns the files written, or [] without matplotlib."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        from gojammy.plotting import plot_sky, plot_training_history, visualize_pdf
    except ImportError:
        return []
    stem, ext = os.path.splitext(path)
    written = [path, f"{stem}_training{ext}"]
    size = min(2.0 * model.total_target_dim_intrinsic, 16)
    fig = plt.figure(figsize=(size, size))
    visualize_pdf(model, fig, nsamples=5000, seed=3)
    fig.suptitle(f'gojammy.pdf("{model.pdf_defs}", "{model.flow_defs}"): samples, HPD contours 68/95 %')
    fig.savefig(path, dpi=90)
    fig, _ = plot_training_history(history)
    fig.savefig(written[1], dpi=110)
    if "s2" in model.pdf_defs_list:
        written.append(f"{stem}_sky{ext}")
        fig, _ = plot_sky(model, samplesize=5000, seed=4)
        fig.savefig(written[2], dpi=110)
    plt.close("all")
    return written


def seed_example():
    """jammy_flows' seed example, exactly as its README writes it."""
    pdf = gojammy.pdf("e4+s2+e4", "gggg+n+gggg")
    samples, base, log_pdf, base_log_pdf = pdf.sample(nsamples=1000)
    print(f"seed example: {pdf.count_parameters()} parameters; samples {samples.shape}, "
          f"base {base.shape}, log_pdf {log_pdf.shape}; mean log p = {log_pdf.mean():.3f}")
    return pdf, samples, base, log_pdf, base_log_pdf


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=10000, help="training events")
    ap.add_argument("--epochs", type=int, default=8)
    ap.add_argument("--out", default="quickstart.png", help="corner plot file; the others are named after it (needs matplotlib)")
    args = ap.parse_args()

    pdf_defs, flow_defs = MODEL
    print(gojammy.info())
    seed_example()
    data = make_data(pdf_defs, args.events, seed=1)
    validation = make_data(pdf_defs, 5000, seed=2)

    model = gojammy.pdf(pdf_defs, flow_defs)
    print(f"model: pdf({pdf_defs!r}, {flow_defs!r}), {model.count_parameters()} parameters, "
          f"{model.total_target_dim} dimensions")
    model.init_params(data=data)

    t0 = time.perf_counter()
    history = model.fit(data, epochs=args.epochs, batch_size=500, learning_rate=1e-2, validation_data=validation, seed=1)
    print(f"trained {args.epochs} epochs in {time.perf_counter() - t0:.1f} s: "
          f"loss {history['loss'][0]:.3f} -> {history['loss'][-1]:.3f}, "
          f"best validation mean log p = {-min(history['val_loss']):.3f} (its parameters are kept)")

    samples, base_samples, log_pdf, base_log_pdf = model.sample(samplesize=5000, seed=3)
    again, _, _ = model(samples)
    print(f"sampled {len(samples)} events; max |log p(sample) - log p at sampling| = {np.max(np.abs(again - log_pdf)):.2e}")
    print(f"mean log p of held-out data: {np.mean(model(validation)[0]):.3f}")

    path = os.path.join(os.path.dirname(os.path.abspath(args.out)), "quickstart_model.safetensors")
    model.save(path)
    reloaded = gojammy.load(path)
    same = np.array_equal(reloaded(validation)[0], model(validation)[0])
    print(f"saved to {path} and reloaded: identical log-densities = {same}")
    os.remove(path)

    written = plot(args.out, model, history)
    if written:
        print("wrote " + ", ".join(written))
    else:
        print("matplotlib not installed: no plot (pip install matplotlib)")


if __name__ == "__main__":
    main()
