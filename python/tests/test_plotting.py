"""gojammy.plotting: every plotting function rendered to PNG for e2, s1, s2, i1 and e2+s2 PDFs
(unconditional and conditional), with checks on the files and on the contours; HEALPix pixel
numbers against healpy's; HPD levels against a standard normal's; a von Mises-Fisher sky map
whose 90 % contour must enclose 90 % of its samples; the Lambert view against upstream's numbers
and its density's integral; dec_ra sky maps placing a vMF's mode; the grid helpers against
pdf(x)."""

import json
import math
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

import gojammy

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.contour import ContourSet  # noqa: E402
from matplotlib.path import Path  # noqa: E402

from gojammy import grid_functions, plotting  # noqa: E402
from gojammy.plotting import _healpix, spherical  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]
COND_DIM = 2

CASES = [("e2", "gg"), ("s1", "m"), ("s2", "n"), ("i1_-1.0_2.0", "r"), ("e2+s2", "gg+n")]


def make_pdf(defs, flows, conditional):
    pdf = gojammy.pdf(defs, flows, conditional_input_dim=COND_DIM if conditional else None, seed=7)
    return pdf, (np.array([0.3, -0.5]) if conditional else None)


def check_png(fig, tmp_path, name):
    """Save fig and check the file: a real picture, not one flat colour."""
    path = tmp_path / f"{name}.png"
    fig.savefig(path, dpi=60)
    plt.close(fig)
    assert path.stat().st_size > 3000, f"{name}: suspiciously small PNG ({path.stat().st_size} bytes)"
    img = plt.imread(path)[..., :3]
    assert img.std() > 0.05, f"{name}: the picture is (nearly) blank"
    return path


def contour_sets(axes):
    return [c for ax in np.ravel(axes) for c in ax.collections if isinstance(c, ContourSet)]


def drawn_lines(cs):
    return sum(len(seg) for level in cs.allsegs for seg in level)


@pytest.mark.parametrize("conditional", [False, True], ids=["unconditional", "conditional"])
@pytest.mark.parametrize("defs, flows", CASES)
def test_visualize_pdf_renders_every_manifold(defs, flows, conditional, tmp_path):
    pdf, ci = make_pdf(defs, flows, conditional)
    fig = plt.figure(figsize=(5, 5))
    truth = pdf.sample(conditional_input=ci, samplesize=1, seed=3, force_intrinsic_coordinates=True)[0][0] if not conditional else None
    samples, subgrid, integral = plotting.visualize_pdf(pdf, fig, conditional_input=ci, nsamples=1000, seed=1,
                                                        true_values=truth, total_pdf_eval_pts=2500)
    assert samples.shape == (1000, pdf.total_target_dim_intrinsic)
    assert subgrid.axdict and len(subgrid.visualization_bounds) == samples.shape[1]
    if samples.shape[1] <= 2:
        # the density on the plotted grid: all of it for s1, s2 and the interval, most of it on R^2
        # (upstream's grid holds both ends of each range: the sum over-counts the edges by up to
        # about 1/(n - 1) per coordinate, 0.6 % for s2's 50 x 50 points)
        assert 0.9 < integral < 1.01 if defs != "e2" else 0.8 < integral < 1.01
    if samples.shape[1] == 2:
        assert contour_sets(subgrid.axdict["ax"]), "a 2-d density is drawn with its HPD contours"
    if samples.shape[1] > 2:
        assert len(subgrid.axdict) == 10  # the lower triangle of a 4 x 4 corner plot
        with_contours = [key for key, ax in subgrid.axdict.items() if contour_sets(ax)]
        assert len(with_contours) == 6, f"HPD contours of the samples in the 6 pair panels: only {with_contours}"
    check_png(fig, tmp_path, f"visualize_{defs}_{conditional}")


def test_visualize_pdf_takes_upstream_options(tmp_path):
    pdf = gojammy.pdf("e3", "ggg", seed=1)
    fig = plt.figure()
    gs = fig.add_gridspec(1, 2)
    _, sub, integral = plotting.visualize_pdf(pdf, fig, gridspec=gs[0, 0], nsamples=1200, num_iterative_steps=3, seed=2,
                                              contour_probs=[0.5, 0.9], hide_labels=True, labels=["a", "b", "c"],
                                              dtype=np.float64, device="cpu")
    assert integral == 0.0 and len(sub.axdict) == 6
    # a second PDF drawn into the same sub-grid widens the shared bounds
    old = list(sub.visualization_bounds)
    plotting.visualize_pdf(gojammy.pdf("e3", "ggg", seed=9), fig, gridspec=gs[0, 0], subgridspec=sub, nsamples=600, seed=3)
    assert all(n[0] <= o[0] and n[1] >= o[1] for n, o in zip(sub.visualization_bounds, old))
    check_png(fig, tmp_path, "options")
    with pytest.raises(ValueError, match="num_iterative_steps"):
        plotting.visualize_pdf(pdf, plt.figure(), nsamples=1000, num_iterative_steps=3)
    with pytest.raises(ValueError, match="s2_norm"):
        plotting.visualize_pdf(pdf, plt.figure(), nsamples=100, s2_norm="mercator")
    plt.close("all")


def test_an_upstream_style_script_runs(tmp_path):
    """What jammy_flows' example notebook does, with gojammy: the modules under their upstream
    names, pdf.double(), visualize_pdf for a conditional PDF given a (1, d) input, two sky maps
    into the axes of pylab.subplots with named contour colours."""
    import pylab

    import gojammy.plotting.general as plot_fns
    import gojammy.plotting.spherical as spherical_plot_fns

    five = gojammy.pdf("s1+s2+e2", "m+v+gg", conditional_input_dim=2).double()
    fig = pylab.figure(figsize=(8, 6))
    _, _, _ = plot_fns.visualize_pdf(five, fig, nsamples=2000, conditional_input=np.array([[1.0, 2.0]]))
    check_png(fig, tmp_path, "upstream_corner")
    sphere = gojammy.pdf("s2", "nn").double()
    fig, axgrid = pylab.subplots(1, 2, figsize=(14, 7))
    spherical_plot_fns.plot_multiresolution_healpy(sphere, fig=fig, ax_to_plot=axgrid[0], samplesize=1500,
                                                   contour_probs=[0.68, 0.95], contour_colors=["black", "orange"])
    spherical_plot_fns.plot_multiresolution_healpy(sphere, fig=fig, ax_to_plot=axgrid[1], samplesize=1500,
                                                   contour_probs=[0.68, 0.95], contour_colors=["black", "orange"], zoom=True)
    assert len(contour_sets(fig.axes)) == 2
    check_png(fig, tmp_path, "upstream_sky")


def test_conditional_plots_need_one_row():
    pdf, _ = make_pdf("e2", "gg", True)
    with pytest.raises(ValueError, match="conditional_input: this PDF is conditional"):
        plotting.visualize_pdf(pdf, plt.figure(), nsamples=100)
    with pytest.raises(ValueError, match="one row"):
        plotting.visualize_pdf(pdf, plt.figure(), nsamples=100, conditional_input=np.zeros((3, COND_DIM)))
    plt.close("all")


@pytest.mark.parametrize("conditional", [False, True], ids=["unconditional", "conditional"])
@pytest.mark.parametrize("defs, flows", [("s2", "n"), ("e2+s2", "gg+n")])
def test_sky_maps(defs, flows, conditional, tmp_path):
    pdf, ci = make_pdf(defs, flows, conditional)
    fig, axes = plotting.plot_sky(pdf, conditional_input=ci, samplesize=1500, seed=2, true_values=(1.0, 2.0),
                                  contour_probs=(0.5, 0.9))
    assert len(axes) == 2 and axes[0].name == "mollweide"
    assert any(drawn_lines(cs) for cs in contour_sets(axes)), "sky maps carry the HPD contours"
    check_png(fig, tmp_path, f"sky_{defs}_{conditional}")


def test_plot_multiresolution_healpy_replaces_the_given_axes(tmp_path):
    pdf = vmf_pdf(5.0)
    fig, ax = plt.subplots(1, 2, figsize=(10, 4))
    new = plotting.plot_multiresolution_healpy(pdf, fig=fig, ax_to_plot=ax[0], samplesize=1500, contour_probs=[0.5, 0.9])
    assert new.name == "mollweide" and ax[0] not in fig.axes
    zoomed = plotting.plot_multiresolution_healpy(pdf, fig=fig, ax_to_plot=ax[1], samplesize=1500, zoom=True, cbar=False)
    assert contour_sets(zoomed)
    check_png(fig, tmp_path, "healpy")
    alone = plotting.plot_multiresolution_healpy(pdf, samplesize=1000, draw_contours=False, use_density_if_possible=False)
    assert not contour_sets(alone)
    check_png(alone.figure, tmp_path, "healpy_samples")
    with pytest.raises(ValueError, match="projection_type"):
        plotting.plot_multiresolution_healpy(pdf, projection_type="galactic")
    with pytest.raises(ValueError, match="declination_trafo_function: only used"):
        plotting.plot_multiresolution_healpy(pdf, declination_trafo_function=lambda t, p: (t, p))
    with pytest.raises(ValueError, match="not s2"):
        plotting.plot_multiresolution_healpy(gojammy.pdf("e2+s2", "gg+n"), sub_pdf_index=0)


def vmf_pdf(kappa):
    """gojammy's s2 'f' layer with the default options is a von Mises-Fisher distribution with
    kappa = exp(last parameter) (plus 1e-10) around a direction set by its rotation."""
    pdf = gojammy.pdf("s2", "f", seed=11)
    params = pdf.get_parameters()
    params[-1] = math.log(kappa)
    pdf.set_parameters(params)
    return pdf


@pytest.mark.parametrize("kappa", [30.0, 500.0])
def test_vmf_contours_enclose_their_probability(kappa, tmp_path):
    pdf = vmf_pdf(kappa)
    fig, axes = plotting.plot_sky(pdf, samplesize=4000, seed=5, contour_probs=(0.5, 0.9))
    zoom = axes[1]
    cs = contour_sets(zoom)[0]
    samples = pdf.sample(samplesize=40000, seed=6, force_intrinsic_coordinates=True)[0]
    map_dir = pdf.coverage_and_or_pdf_scan(calculate_MAP=True, samples=2000, seed=1)["map_positions_angles"][0]
    x, y = spherical.gnomonic(tuple(map_dir), samples[:, 0], samples[:, 1])
    points = np.stack([x, y], axis=1)
    for prob, segs in zip(cs.contour_probs, cs.allsegs):
        closed = [s for s in segs if len(s) > 10]
        assert len(closed) == 1, f"{prob}: one closed contour expected around a vMF mode, got {len(closed)}"
        inside = Path(closed[0]).contains_points(np.nan_to_num(points, nan=1e9)).mean()
        assert inside == pytest.approx(prob, abs=0.01), f"{prob} contour encloses {inside:.4f} of the samples"
        # and its angular radius is the vMF's: 1 - cos r = -log(1 - p (1 - e^{-2 kappa})) / kappa
        radius = np.degrees(np.arctan(np.hypot(*closed[0].T) / np.degrees(1.0)))
        expected = np.degrees(np.arccos(1 + np.log(1 - prob * -np.expm1(-2 * kappa)) / kappa))
        assert np.median(radius) == pytest.approx(expected, rel=0.01)
    check_png(fig, tmp_path, f"vmf_{kappa:g}")


@pytest.mark.parametrize("conditional", [False, True], ids=["unconditional", "conditional"])
def test_circular_plot(conditional, tmp_path):
    pdf, ci = make_pdf("s1", "m", conditional)
    fig, ax = plotting.plot_circular(pdf, conditional_input=ci, samplesize=2000, seed=1, true_values=1.0,
                                     contour_probs=(0.5, 0.9))
    # each HPD set holds its probability: integrate the density over the reported arcs
    phi = np.linspace(0, 4 * np.pi, 8001)[:-1]
    dens = np.exp(pdf(np.mod(phi, 2 * np.pi)[:, None], conditional_input=None if ci is None else np.repeat(ci[None], len(phi), 0),
                      force_intrinsic_coordinates=True)[0])
    step = phi[1] - phi[0]
    for prob, arcs in ax.hpd_arcs.items():
        mass = sum(dens[(phi >= a) & (phi < b)].sum() * step for a, b in arcs)
        assert mass == pytest.approx(prob, abs=0.01)
    check_png(fig, tmp_path, f"circular_{conditional}")
    # the s1 part of a larger PDF: the histogram of samples and its HPD arcs
    joint = gojammy.pdf("e1+s1", "g+m", seed=2)
    fig, ax = plotting.plot_circular(joint, samplesize=20000, seed=1, contour_probs=(0.9,))
    angles = joint.sample(samplesize=20000, seed=2)[0][:, 1]
    inside = np.zeros(angles.shape, dtype=bool)
    for a, b in ax.hpd_arcs[0.9]:
        inside |= ((angles >= a) & (angles < b)) | ((angles + 2 * np.pi >= a) & (angles + 2 * np.pi < b))
    assert inside.mean() == pytest.approx(0.9, abs=0.02)
    check_png(fig, tmp_path, "circular_e1s1")
    with pytest.raises(ValueError, match="no s1"):
        plotting.plot_circular(gojammy.pdf("e2", "gg"))


@pytest.mark.parametrize("conditional", [False, True], ids=["unconditional", "conditional"])
@pytest.mark.parametrize("defs, flows", CASES)
def test_coverage_and_training_plots(defs, flows, conditional, tmp_path):
    pdf, ci = make_pdf(defs, flows, conditional)
    n = 30 if conditional else 150  # a conditional PDF is scanned once per event
    cond = None if ci is None else np.random.default_rng(1).normal(size=(n, COND_DIM))
    labels = pdf.sample(conditional_input=cond, samplesize=n, seed=4)[0]
    res = pdf.coverage_and_or_pdf_scan(labels=labels, conditional_input=cond, exact_coverage_calculation=True, samples=500, seed=2)
    fig, ax = plotting.plot_coverage([res["real_cov_values"], res["approx_cov_values"]], labels=["exact", "approximate"])
    assert len(ax.lines) == 3
    check_png(fig, tmp_path, f"coverage_{defs}_{conditional}")
    history = pdf.fit(labels, conditional_input=cond, epochs=3, batch_size=50, validation_data=labels[:50] if cond is None else
                      (labels[:50], cond[:50]), progress=False, seed=1)
    fig, ax = plotting.plot_training_history(history, label="run 1")
    assert len(ax.lines) == 3
    check_png(fig, tmp_path, f"training_{defs}_{conditional}")


def test_coverage_plot_takes_the_result_dictionaries(tmp_path):
    pdf = gojammy.pdf("e2+s2", "gg+f", seed=2)
    x = pdf.sample(samplesize=200, seed=1)[0]
    fig, ax = plotting.plot_coverage(pdf.approximate_coverage(x, sub_manifolds=[-1, 0, 1]))
    assert [t.get_text() for t in ax.get_legend().get_texts()][1:] == [
        "approximate, whole PDF", "approximate, sub-manifold 0", "approximate, sub-manifold 1"]
    res = pdf.coverage_and_or_pdf_scan(labels=x, exact_coverage_calculation=True, samples=1000, seed=1)
    fig, ax = plotting.plot_coverage(res)
    assert len(ax.lines) == 3
    check_png(fig, tmp_path, "coverage_dict")
    with pytest.raises(ValueError, match="no coverage values"):
        plotting.plot_coverage(pdf.coverage_and_or_pdf_scan(calculate_MAP=True, samples=100))


def test_coverage_curve_is_the_empirical_cdf():
    fig, ax = plotting.plot_coverage(np.array([0.1, 0.2, 0.2, 0.9]), band=False, points=11)
    line = ax.lines[-1]
    np.testing.assert_allclose(line.get_ydata(), [0, 0.25, 0.75, 0.75, 0.75, 0.75, 0.75, 0.75, 0.75, 1, 1])
    plt.close(fig)


def test_find_contour_levels_of_a_standard_normal():
    # the HPD region of probability p of a 2-d standard normal is r^2 < -2 log(1-p), its density
    # threshold (1-p) / (2 pi)
    g = np.linspace(-6, 6, 601)
    x, y = np.meshgrid(g, g)
    dens = np.exp(-(x**2 + y**2) / 2) / (2 * np.pi)
    levels = plotting.find_contour_levels([0.5, 0.9], dens, (g[1] - g[0]) ** 2)
    np.testing.assert_allclose(levels, [0.5 / (2 * np.pi), 0.1 / (2 * np.pi)], rtol=2e-3)
    with pytest.raises(ValueError, match="contour_probs"):
        plotting.find_contour_levels([1.5], dens, 1.0)


def test_healpix_pixels_are_healpys():
    data = json.loads((ROOT / "flowcore" / "healpix" / "testdata" / "healpy_nested.json").read_text())
    for m in data["maps"]:
        order = int(math.log2(m["nside"]))
        np.testing.assert_array_equal(_healpix.ang2pix_nest(order, np.array(m["point_theta"]), np.array(m["point_phi"])), m["point_pix"])
        np.testing.assert_array_equal(_healpix.ang2pix_nest(order, np.array(m["theta"]), np.array(m["phi"])), m["pix"])
        assert _healpix.pixel_area(order) == pytest.approx(m["pixel_area"], rel=1e-14)
        assert _healpix.order_of_area(m["pixel_area"]) == order
        theta, phi = _healpix.pix2ang_nest(order, np.array(m["pix"]))  # the centres healpy gives
        np.testing.assert_allclose(theta, m["theta"], rtol=0, atol=1e-13)
        np.testing.assert_allclose(phi, m["phi"], rtol=0, atol=1e-13)


def test_sample_histogram_is_a_density():
    rng = np.random.default_rng(3)
    theta, phi = np.arccos(rng.uniform(-1, 1, 20000)), rng.uniform(0, 2 * np.pi, 20000)
    cells, areas = _healpix.sample_histogram(theta, phi, max_entries_per_pixel=20)
    assert areas.sum() == pytest.approx(4 * np.pi, rel=1e-12)  # the cells tile the sphere
    assert (cells.values * areas).sum() == pytest.approx(1.0, rel=1e-12)
    assert cells.values.max() <= 20 / (20000 * areas.min()) + 1e-12


def test_missing_matplotlib_says_how_to_install(monkeypatch):
    from gojammy.plotting import _mpl

    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"pip install 'gojammy\[plot\]'"):
        _mpl.pyplot()


def test_gojammy_plotting_imports_without_matplotlib():
    """Importing gojammy.plotting needs no matplotlib; drawing says what to install."""
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] == 'matplotlib': raise ImportError('no matplotlib here')\n"
        "sys.meta_path.insert(0, Block())\n"
        "import gojammy, gojammy.plotting\n"
        "try:\n"
        "    gojammy.plotting.plot_sky(gojammy.pdf('s2', 'f'))\n"
        "except ImportError as e:\n"
        "    print(e)\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                       env=dict(os.environ, PYTHONPATH=str(ROOT / "python")))
    assert r.returncode == 0, r.stderr
    assert "gojammy.plotting needs matplotlib: pip install matplotlib" in r.stdout
