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
import re
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
    # examples/plot_moving_lambert_projection.py: the Lambert view around a true direction next to
    # the zenith-azimuth plane, 40 x 40 grid points each, true directions up to the poles (a
    # seeded PDF: the grid's error depends on how sharp it is)
    sphere = gojammy.pdf("s2", "n", seed=7)
    for true_zen, true_azi in ((0.001, 0.0), (1.0, 2.0), (np.pi - 0.001, 6.2)):
        fig = pylab.figure(figsize=(9, 4))
        gs = fig.add_gridspec(1, 2)
        _, _, lambert_integral = plot_fns.visualize_pdf(sphere, fig, gridspec=gs[0, 0], total_pdf_eval_pts=1600, s2_norm="lambert",
                                                        nsamples=1000, true_values=np.array([true_zen, true_azi]),
                                                        bounds=[[-2.0, 2.0], [-2.0, 2.0]], s2_rotate_to_true_value=True)
        _, _, standard_integral = plot_fns.visualize_pdf(sphere, fig, gridspec=gs[0, 1], s2_norm="standard",
                                                         total_pdf_eval_pts=1600, nsamples=1000,
                                                         true_values=np.array([true_zen, true_azi]),
                                                         bounds=[[0, np.pi], [0, 2 * np.pi]], s2_rotate_to_true_value=False)
        assert lambert_integral == pytest.approx(1.0, abs=0.02) and standard_integral == pytest.approx(1.0, abs=0.03)
        fig.tight_layout()
        check_png(fig, tmp_path, f"upstream_lambert_{true_zen:.3f}")


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


LAMBERT = json.loads((pathlib.Path(__file__).parent / "upstream" / "lambert.json").read_text())


def test_lambert_transforms_match_upstream():
    points, fix = np.array(LAMBERT["points"]), LAMBERT["fix_point"]
    to_lambert = grid_functions.spherical_to_cartesian_lambert
    np.testing.assert_allclose(to_lambert(points), LAMBERT["lambert"], rtol=0, atol=1e-13)
    np.testing.assert_allclose(to_lambert(points, fix_point=fix), LAMBERT["lambert_fixed"], rtol=0, atol=1e-13)
    back = grid_functions.cartesian_lambert_to_spherical(np.array(LAMBERT["lambert_points"]), fix_point=fix)
    np.testing.assert_allclose(back, LAMBERT["back_fixed"], rtol=0, atol=1e-13)
    # the inverse, around the south pole and around the fix point; NaN outside the disc
    for centre in (None, fix):
        there_and_back = grid_functions.cartesian_lambert_to_spherical(to_lambert(points, fix_point=centre), fix_point=centre)
        np.testing.assert_allclose(there_and_back, points, rtol=0, atol=1e-12)
    assert np.isnan(grid_functions.cartesian_lambert_to_spherical([[1.5, 1.5]])[0, 0])
    # the fix point goes to the centre of the view
    np.testing.assert_allclose(to_lambert(np.array([fix]), fix_point=fix), [[0.0, 0.0]], atol=1e-7)


@pytest.mark.parametrize("fix_point", [None, (0.7, 5.0)])
def test_lambert_view_keeps_areas(fix_point):
    """|d(x, y) / d(theta, phi)| = sin(theta), by central differences: one steradian is one unit
    of area in the view, so densities per steradian are densities per unit area."""
    rng = np.random.default_rng(1)
    points = np.stack([rng.uniform(0.2, np.pi - 0.2, 20), rng.uniform(0, 2 * np.pi, 20)], axis=1)
    h = 1e-6
    cols = []
    for k in range(2):
        step = np.zeros(2)
        step[k] = h
        plus = grid_functions.spherical_to_cartesian_lambert(points + step, fix_point=fix_point)
        minus = grid_functions.spherical_to_cartesian_lambert(points - step, fix_point=fix_point)
        cols.append((plus - minus) / (2 * h))
    jacobian = np.abs(cols[0][:, 0] * cols[1][:, 1] - cols[0][:, 1] * cols[1][:, 0])
    np.testing.assert_allclose(jacobian, np.sin(points[:, 0]), rtol=1e-7)


@pytest.mark.parametrize("kappa", [30.0, 300.0])
def test_visualize_pdf_lambert_view(kappa, tmp_path):
    """The Lambert view around a vMF's mode: the density on the disc integrates to 1, peaks at
    the centre, and its HPD contours are circles of radius 2 sin(a / 2) for the vMF's angular
    radius a."""
    pdf = vmf_pdf(kappa)
    mode = pdf.coverage_and_or_pdf_scan(calculate_MAP=True, samples=2000, seed=1)["map_positions_angles"][0]
    fig = plt.figure(figsize=(5, 5))
    _, sub, integral = plotting.visualize_pdf(pdf, fig, nsamples=3000, seed=2, s2_norm="lambert", true_values=mode,
                                              bounds=[[-2.0, 2.0], [-2.0, 2.0]], total_pdf_eval_pts=201**2,
                                              contour_probs=[0.5, 0.9])
    # the density vanishes long before the rim, so the grid's sum is as good as exact
    assert integral == pytest.approx(1.0, abs=1e-6)
    ax = sub.axdict["ax"]
    star = [line for line in ax.lines if line.get_marker() == "*"][0]
    np.testing.assert_allclose(star.get_xydata()[0], [0.0, 0.0], atol=1e-6)  # the true value at the centre
    cs = contour_sets(ax)[0]
    for prob, segs in zip(cs.contour_probs, cs.allsegs):
        radius = np.median(np.hypot(*max(segs, key=len).T))
        # (the 50 % circle of kappa = 300 is 3.4 grid steps wide: 6 % small)
        assert radius == pytest.approx(2 * np.sin(vmf_radius(kappa, prob) / 2), rel=0.01 if kappa == 30.0 else 0.08)
    check_png(fig, tmp_path, f"lambert_{kappa:g}")
    # unrotated, around the south pole: still the whole sphere on the disc
    fig = plt.figure()
    _, sub, integral = plotting.visualize_pdf(gojammy.pdf("s2", "n", seed=7), fig, nsamples=2000, seed=3, s2_norm="lambert",
                                              s2_rotate_to_true_value=False, bounds=[[-2.0, 2.0], [-2.0, 2.0]],
                                              total_pdf_eval_pts=201**2, true_values=[1.2, 3.0])
    assert integral == pytest.approx(1.0, abs=0.003)
    star = [line for line in sub.axdict["ax"].lines if line.get_marker() == "*"][0]
    np.testing.assert_allclose(star.get_xydata()[0], 2 * np.cos(0.6) * np.array([np.cos(3.0), np.sin(3.0)]), rtol=1e-12)
    check_png(fig, tmp_path, "lambert_south")


def test_visualize_pdf_lambert_corner(tmp_path):
    """An e1+s2 PDF in the Lambert view: a corner plot whose S2 columns are Lambert
    coordinates inside the disc."""
    pdf = gojammy.pdf("e1+s2", "g+n", seed=4)
    samples, sub, _ = plotting.visualize_pdf(pdf, plt.figure(figsize=(6, 6)), nsamples=2000, seed=1, s2_norm="lambert")
    assert samples.shape == (2000, 3) and len(sub.axdict) == 6
    assert all(-2.0 <= lo < hi <= 2.0 for lo, hi in sub.visualization_bounds[1:])
    assert sub.axdict[(2, 0)].get_xlabel() == "x$_{0}$" and sub.axdict[(2, 1)].get_xlabel() == "x$_L$$_{1}$"
    check_png(sub.axdict[(0, 0)].figure, tmp_path, "lambert_corner")


def test_get_pdf_on_grid_is_the_pdf_on_the_grid():
    pdf = gojammy.pdf("e1+s2", "g+n", seed=4)
    bounds = [(-2.0, 1.0), (0.3, 2.0), (0.0, 2 * np.pi)]
    positions, log_evals, volume, mask, flagged = grid_functions.get_pdf_on_grid(bounds, 7, pdf)
    assert positions.shape == (1, 7, 7, 7, 3) and log_evals.shape == (1, 7, 7, 7)
    assert mask == [0, 0, 0] and flagged.shape == (0, 2)
    flat = positions.reshape(-1, 3)
    np.testing.assert_array_equal(log_evals.ravel(), pdf(flat, force_intrinsic_coordinates=True)[0])
    # upstream's ranges: the given ones for e, the zenith range shrunk by 1e-4, all azimuths
    assert flat[:, 0].min() == -2.0 and flat[:, 0].max() == 1.0
    assert flat[:, 1].min() == pytest.approx(0.3001) and flat[:, 2].max() == pytest.approx(2 * np.pi - 1e-4)
    assert volume == pytest.approx(0.5 * (1.7 - 2e-4) / 6 * (2 * np.pi - 2e-4) / 6)
    # two dimensions: positions[0, i, j] = (x_i, y_j), as upstream
    e2 = gojammy.pdf("e2", "gg", seed=1)
    positions, log_evals, volume, _, _ = grid_functions.get_pdf_on_grid([(-1, 1), (0, 3)], 4, e2)
    np.testing.assert_allclose(positions[0, 2, 3], [1 / 3, 3.0], rtol=1e-15)
    # the grid's sum integrates: S2 in both views, npts = 1 is taken as 2
    s2 = vmf_pdf(30.0)
    for norm, n in (("standard", 300), ("lambert", 301)):
        _, log_evals, volume, _, _ = grid_functions.get_pdf_on_grid([(0, np.pi), (0, 2 * np.pi)], n, s2, s2_norm=norm)
        assert np.exp(log_evals).sum() * volume == pytest.approx(1.0, abs=0.004), norm
    assert grid_functions.get_pdf_on_grid([(0, np.pi), (0, 2 * np.pi)], 1, s2)[1].shape == (1, 2, 2)


def test_get_pdf_on_grid_lambert_and_conditional_rows():
    pdf = gojammy.pdf("s2", "n", conditional_input_dim=COND_DIM, seed=2)
    pdf.set_parameters(np.random.default_rng(1).normal(0.0, 0.5, pdf.get_parameters().size))  # rows matter
    rows = np.array([[0.3, -0.5], [1.0, 2.0]])
    positions, log_evals, _, _, _ = grid_functions.get_pdf_on_grid([(0, np.pi), (0, 2 * np.pi)], 9, pdf, conditional_input=rows,
                                                                   s2_norm="lambert", s2_rotate_to_true_value=True,
                                                                   true_values=[1.0, 2.0])
    assert positions.shape == (2, 9, 9, 2) and log_evals.shape == (2, 9, 9)
    xl = positions[0].reshape(-1, 2)
    inside = np.hypot(xl[:, 0], xl[:, 1]) < 2
    assert np.all(log_evals[:, ~inside.reshape(9, 9)] == -600.0)  # outside the disc, as upstream
    directions = grid_functions.cartesian_lambert_to_spherical(xl[inside], fix_point=[1.0, 2.0])
    for b in range(2):
        expected = pdf(directions, conditional_input=np.repeat(rows[b:b + 1], len(directions), 0),
                       force_intrinsic_coordinates=True)[0] - np.log(np.sin(directions[:, 0]))
        np.testing.assert_allclose(log_evals[b].ravel()[inside], expected, rtol=1e-12)
    assert not np.allclose(log_evals[0], log_evals[1])
    with pytest.raises(ValueError, match="s2_norm"):
        grid_functions.get_pdf_on_grid([(0, np.pi), (0, 2 * np.pi)], 9, pdf, conditional_input=rows, s2_norm="flat")
    with pytest.raises(ValueError, match="mins_maxs"):
        grid_functions.get_pdf_on_grid([(0, np.pi)], 9, pdf, conditional_input=rows)
    with pytest.raises(ValueError, match=r"mins_maxs: coordinate 1 needs a finite"):
        grid_functions.get_pdf_on_grid([(-1, 1), (-np.inf, 2)], 9, gojammy.pdf("e2", "gg"))


def test_get_multiresolution_evals():
    pdf = vmf_pdf(30.0)
    positions, log_pdf, pdf_evals, areas, moc_map = plotting.get_multiresolution_evals(pdf, samplesize=5000, seed=1)
    assert areas.sum() == pytest.approx(4 * np.pi, rel=1e-12)  # the cells tile the sphere
    x = spherical._unit(positions[:, 0], positions[:, 1])
    np.testing.assert_array_equal(log_pdf, pdf(x, force_embedding_coordinates=True)[0])
    np.testing.assert_array_equal(pdf_evals, np.exp(log_pdf))
    assert (pdf_evals * areas).sum() == pytest.approx(1.0, abs=0.01)
    # the positions are the cells' centres: each lies in its own cell
    np.testing.assert_array_equal(moc_map.lookup(positions[:, 0], positions[:, 1]), pdf_evals)
    assert areas.min() < 1e-3 < areas.max()  # refined at the mode only
    # the S2 part of a larger PDF: the histogram of its samples
    _, log_pdf, pdf_evals, areas, _ = plotting.get_multiresolution_evals(gojammy.pdf("e2+s2", "gg+n", seed=7), sub_pdf_index=1,
                                                                         samplesize=3000, seed=2)
    assert log_pdf is None and (pdf_evals * areas).sum() == pytest.approx(1.0, rel=1e-12)
    with pytest.raises(ValueError, match="not s2"):
        plotting.get_multiresolution_evals(pdf, sub_pdf_index=1)


def angles_from(mode, theta, phi):
    return np.arccos(np.clip(spherical._unit(theta, phi) @ spherical._unit(*mode), -1.0, 1.0))


def vmf_radius(kappa, prob):
    """Angular radius of a vMF's HPD region of probability prob."""
    return np.arccos(1 + np.log(1 - prob * -np.expm1(-2 * kappa)) / kappa)


def test_dec_ra_places_a_vmf_mode(tmp_path):
    """projection_type="dec_ra": declination 90° - theta up, right ascension phi growing to the
    left, so the Mollweide longitude of the mode is 180° - phi; with a declination_trafo_function
    the map shows the transformed directions."""
    pdf = vmf_pdf(200.0)
    theta, phi = pdf.coverage_and_or_pdf_scan(calculate_MAP=True, samples=2000, seed=1)["map_positions_angles"][0]
    fig, ax = plt.subplots(1, 3, figsize=(14, 4))
    kw = dict(samplesize=2000, contour_probs=[0.5, 0.9])
    zen_azi = plotting.plot_multiresolution_healpy(pdf, fig=fig, ax_to_plot=ax[0], **kw)
    dec_ra = plotting.plot_multiresolution_healpy(pdf, fig=fig, ax_to_plot=ax[1], projection_type="dec_ra", **kw)
    # the innermost (50 %) contour, read back from the axes' (longitude, latitude): a circle of
    # the vMF's radius around the mode
    for ax_, azimuth in ((zen_azi, lambda lon: lon + np.pi), (dec_ra, lambda lon: np.pi - lon)):
        lon, lat = max(contour_sets(ax_)[0].allsegs[-1], key=len).T
        np.testing.assert_allclose(angles_from((theta, phi), np.pi / 2 - lat, azimuth(lon)), vmf_radius(200.0, 0.5), rtol=0.03)
    assert dec_ra.get_xlabel() == "right ascension" and dec_ra.get_ylabel() == "declination"

    def to_equatorial(t, p):  # a mirror and a turn: ra = 0.5 - phi, dec = theta - 90°
        return np.asarray(t) - np.pi / 2, np.mod(0.5 - np.asarray(p), 2 * np.pi)

    zoomed = plotting.plot_multiresolution_healpy(pdf, fig=fig, ax_to_plot=ax[2], projection_type="dec_ra", zoom=True,
                                                  declination_trafo_function=to_equatorial, **kw)
    dec, ra = theta - np.pi / 2, np.mod(0.5 - phi, 2 * np.pi)
    shown = [float(v) for v in re.findall(r"[δα]=([-\d.]+)°", zoomed.get_title())]  # the view's centre
    np.testing.assert_allclose(shown, np.degrees([dec, ra]), atol=0.3)
    x, y = max(contour_sets(zoomed)[0].allsegs[-1], key=len).T  # gnomonic: tan(angle) in degrees around the mode
    np.testing.assert_allclose(np.hypot(x, y), np.degrees(np.tan(vmf_radius(200.0, 0.5))), rtol=0.03)
    assert zoomed.get_xlim()[0] > zoomed.get_xlim()[1]  # right ascension grows to the left
    check_png(fig, tmp_path, "dec_ra")
    # plot_sky: the true direction goes through the same change of frame
    fig, axes = plotting.plot_sky(pdf, samplesize=2000, seed=1, true_values=(theta, phi), projection_type="dec_ra",
                                  declination_trafo_function=to_equatorial)
    star = [line for line in axes[0].lines if line.get_marker() == "*"][0]
    np.testing.assert_allclose(star.get_xydata()[0], [np.pi - ra, dec], atol=1e-9)
    check_png(fig, tmp_path, "sky_dec_ra")
    with pytest.raises(ValueError, match="change of frame"):
        plotting.plot_sky(pdf, samplesize=500, projection_type="dec_ra", declination_trafo_function=lambda t, p: (t / 2, p))
