#!/usr/bin/env python3
"""gojammy quickstart: the seed example of jammy_flows, then a fit to a generated data set.

Run with `make quickstart` (or `python examples/quickstart.py` once gojammy is installed). It
runs jammy_flows' seed example as written (a 10-d PDF on R^4 x S^2 x R^4), then trains that model
on a generated data set with a progress bar, draws samples, evaluates log-densities, saves and
reloads the model, and writes quickstart.png if matplotlib is installed.

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


def plot(path, data, samples, log_pdf, model):
    """Data, samples and density in the first two coordinates, and the marginal of the last
    coordinate when there are more than two; returns False without matplotlib."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    extra = model.total_target_dim > 2
    fig, axes = plt.subplots(1, 4 if extra else 3, figsize=(20 if extra else 15, 4.6))
    data = data[: len(samples)]  # as many points as samples, for a fair look
    kw = dict(s=2, alpha=0.4)
    axes[0].scatter(data[:, 0], data[:, 1], color="k", **kw)
    axes[0].set_title("training data")
    axes[1].scatter(samples[:, 0], samples[:, 1], color="C0", **kw)
    axes[1].set_title("samples from the flow")
    if not extra:
        lo, hi = data.min(axis=0) - 0.5, data.max(axis=0) + 0.5
        gx, gy = np.meshgrid(np.linspace(lo[0], hi[0], 200), np.linspace(lo[1], hi[1], 200))
        grid_log_pdf, _, _ = model(np.stack([gx.ravel(), gy.ravel()], axis=1))
        axes[2].pcolormesh(gx, gy, np.exp(grid_log_pdf).reshape(gx.shape), shading="auto")
        axes[2].set_title("density p(x)")
    else:
        order = np.argsort(log_pdf)
        sc = axes[2].scatter(samples[order, 0], samples[order, 1], c=log_pdf[order], s=3, vmin=np.percentile(log_pdf, 2))
        fig.colorbar(sc, ax=axes[2], label="log p(sample)")
        axes[2].set_title("samples coloured by their log-density")
        last = model.total_target_dim - 1
        bins = np.linspace(min(data[:, last].min(), samples[:, last].min()), max(data[:, last].max(), samples[:, last].max()), 60)
        axes[3].hist(data[:, last], bins=bins, density=True, histtype="step", color="k", label="data")
        axes[3].hist(samples[:, last], bins=bins, density=True, histtype="step", color="C0", label="samples")
        axes[3].set_xlabel(f"x[{last}]")
        axes[3].set_title(f"marginal of x[{last}]")
        axes[3].legend()
    for ax in axes[:3]:
        ax.set_xlabel("x[0]")
        ax.set_ylabel("x[1]")
        ax.set_xlim(axes[0].get_xlim())
        ax.set_ylim(axes[0].get_ylim())
    fig.suptitle(f'gojammy.pdf("{model.pdf_defs}", "{model.flow_defs}")')
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


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
    ap.add_argument("--out", default="quickstart.png", help="plot file (needs matplotlib)")
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

    if plot(args.out, data, samples, log_pdf, model):
        print(f"wrote {args.out}")
    else:
        print("matplotlib not installed: no plot (pip install matplotlib)")


if __name__ == "__main__":
    main()
