"""pdf.approximate_coverage and pdf.coverage_and_or_pdf_scan: upstream's keys, the exact HPD
coverage of a standard normal, scans on every manifold kind, conditional scans, errors."""

import math

import numpy as np
import pytest

import gojammy


def test_approximate_coverage_keys_and_values(rng):
    pdf = gojammy.pdf("e2+s2", "gg+n")
    x = pdf.sample(samplesize=300, seed=2)[0]
    res = pdf.approximate_coverage(x, num_percentile_points=11, sub_manifolds=[-1, 0, 1])
    assert set(res) == {"true", "logprob_diffs", "chi2_cdf_evals", "expected"}
    np.testing.assert_allclose(res["expected"], np.linspace(0, 1, 11))
    assert set(res["true"]) == {"total", 0, 1}
    base = pdf(x)[2]
    np.testing.assert_allclose(res["logprob_diffs"]["total"], (base**2).sum(axis=1), rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(res["logprob_diffs"][1], (base[:, 2:] ** 2).sum(axis=1), rtol=1e-9, atol=1e-12)
    # chi^2 CDF with 2 degrees of freedom: 1 - exp(-d/2)
    np.testing.assert_allclose(res["chi2_cdf_evals"][0], -np.expm1(-res["logprob_diffs"][0] / 2), rtol=1e-12, atol=1e-14)
    cdf = res["chi2_cdf_evals"]["total"]
    np.testing.assert_allclose(res["true"]["total"], [(cdf < p).mean() for p in res["expected"]])


def test_exact_coverage_of_a_standard_normal(rng):
    pdf = gojammy.pdf("e2", "x")  # the identity flow: a standard normal
    x = 1.5 * rng.normal(size=(50, 2))
    res = pdf.coverage_and_or_pdf_scan(labels=x, exact_coverage_calculation=True, calculate_MAP=True, seed=1)
    assert res["scan_method"] == "grid"
    np.testing.assert_allclose(res["real_cov_values"], -np.expm1(-(x**2).sum(axis=1) / 2), atol=1e-3)
    np.testing.assert_allclose(res["approx_cov_values"], -np.expm1(-(x**2).sum(axis=1) / 2), atol=1e-12)
    assert res["map_positions"].shape == (1, 2) and np.abs(res["map_positions"]).max() < 0.1
    # the 50% region of a 2-d standard normal is a disk of area 2π log 2
    assert res["credible_volumes"][0, 0] == pytest.approx(2 * math.pi * math.log(2), rel=0.02)


@pytest.mark.parametrize(
    "defs, flows, method",
    [("e1", "g", "grid"), ("s1", "m", "grid"), ("i1_-1.0_2.0", "r", "grid"), ("s2", "n", "healpix"), ("e2+s2", "gg+n", "sampling")],
)
def test_scan_on_every_manifold(defs, flows, method):
    pdf = gojammy.pdf(defs, flows)
    labels = pdf.sample(samplesize=20, seed=4)[0]
    res = pdf.coverage_and_or_pdf_scan(labels=labels, exact_coverage_calculation=True, save_pdf_scan=True, calculate_MAP=True, samples=2000, seed=3)
    assert res["scan_method"] == method
    cov = res["real_cov_values"]
    assert cov.shape == (20,) and np.all((cov >= 0) & (cov <= 1))
    assert len(res["pdf_scan_positions"]) == len(res["pdf_scan_log_evals"]) == len(res["pdf_scan_volume_sizes"]) == 1
    assert res["pdf_scan_positions"][0].shape[1] == pdf.total_target_dim_intrinsic
    if method == "healpix":
        assert res["pdf_scan_volume_sizes"][0].sum() == pytest.approx(4 * math.pi, rel=1e-12)
        assert res["credible_areas_deg2"].shape == (1, 3)
        assert res["map_positions_angles"].shape == (1, 2) and res["map_positions"].shape == (1, 3)
    if method == "sampling":
        assert np.all(res["real_cov_errors"] > 0)


def test_conditional_scan_per_row():
    pdf = gojammy.pdf("e1", "gg", conditional_input_dim=2, amortization_mlp_dims="8")
    cond = np.array([[0.0, 1.0], [2.0, -1.0], [-3.0, 0.5]])
    labels = pdf.sample(conditional_input=cond, seed=1)[0]
    res = pdf.coverage_and_or_pdf_scan(labels=labels, conditional_input=cond, exact_coverage_calculation=True, calculate_MAP=True, samples=1000)
    assert res["real_cov_values"].shape == (3,) and res["map_positions"].shape == (3, 1)
    with pytest.raises(ValueError, match="conditional_input"):
        pdf.coverage_and_or_pdf_scan(labels=labels[:2], conditional_input=cond, exact_coverage_calculation=True)


def test_errors_name_the_argument():
    pdf = gojammy.pdf("e2", "gg")
    x = np.zeros((1, 2))
    with pytest.raises(gojammy.GojammyValueError, match="method healpix"):
        pdf.coverage_and_or_pdf_scan(labels=x, exact_coverage_calculation=True, method="healpix")
    with pytest.raises(ValueError, match="method"):
        pdf.coverage_and_or_pdf_scan(labels=x, exact_coverage_calculation=True, method="mesh")
    with pytest.raises(ValueError, match="sub_manifolds"):
        pdf.approximate_coverage(x, sub_manifolds=[2])
    with pytest.raises(gojammy.GojammyValueError, match="levels"):
        pdf.coverage_and_or_pdf_scan(labels=x, exact_coverage_calculation=True, credible_levels=[1.5])


def test_contours_of_a_standard_normal_and_on_the_sphere():
    pdf = gojammy.pdf("e2", "x")
    res = pdf.coverage_and_or_pdf_scan(contours=True, credible_levels=[0.5, 0.9])
    for level, lines in res["contours"][0].items():
        assert len(lines) == 1 and lines[0].shape[1] == 2
        np.testing.assert_allclose(np.hypot(*lines[0].T), math.sqrt(-2 * math.log1p(-level)), atol=0.01)
    sky = gojammy.pdf("s2", "n").coverage_and_or_pdf_scan(contours=True, samples=2000)
    assert sky["scan_method"] == "healpix" and set(sky["contours"][0]) == {0.5, 0.68, 0.9}
    assert all(len(lines) >= 1 for lines in sky["contours"][0].values())


def test_marginal_scans_of_the_sub_manifolds():
    # "x+x" on e2+e2: both parts standard normals, so the marginal of part 1 is known exactly
    pdf = gojammy.pdf("e2+e2", "x+x")
    labels = np.array([[0.3, -2.0, 1.0, 0.0], [1.0, 1.0, -0.5, 1.5]])
    res = pdf.coverage_and_or_pdf_scan(
        labels=labels, exact_coverage_calculation=True, calculate_MAP=True, contours=True, sub_manifolds=[-1, 1],
        conditioning_samples=10, seed=2,
    )
    assert res["scan_method"] == "sampling" and set(res["marginals"]) == {1}
    m = res["marginals"][1]
    assert m["scan_method"] == "grid"
    r2 = (labels[:, 2:] ** 2).sum(axis=1)
    np.testing.assert_allclose(m["real_cov_values"], -np.expm1(-r2 / 2), atol=2e-3)
    np.testing.assert_allclose(m["log_pdf_labels"], -r2 / 2 - math.log(2 * math.pi), atol=1e-12)
    np.testing.assert_allclose(m["credible_volumes"][0], -2 * math.pi * np.log1p(-np.array([0.5, 0.68, 0.9])), rtol=0.02)
    assert m["map_positions"].shape == (1, 2) and np.abs(m["map_positions"]).max() < 0.1
    assert [len(m["contours"][0][level]) for level in (0.5, 0.68, 0.9)] == [1, 1, 1]


def test_marginal_scan_on_the_sphere():
    pdf = gojammy.pdf("e2+s2", "gg+n")
    labels = pdf.sample(samplesize=5, seed=4)[0]
    res = pdf.coverage_and_or_pdf_scan(
        labels=labels, exact_coverage_calculation=True, calculate_MAP=True, save_pdf_scan=True, sub_manifolds=[0, 1],
        samples=2000, conditioning_samples=20, seed=3,
    )
    assert "scan_method" not in res and set(res["marginals"]) == {0, 1}
    sky = res["marginals"][1]
    assert sky["scan_method"] == "healpix" and sky["credible_areas_deg2"].shape == (1, 3)
    assert sky["pdf_scan_volume_sizes"][0].sum() == pytest.approx(4 * math.pi, rel=1e-12)
    mass = (np.exp(sky["pdf_scan_log_evals"][0]) * sky["pdf_scan_volume_sizes"][0]).sum()
    assert mass == pytest.approx(1, abs=2e-3)
    assert sky["map_positions"].shape == (1, 3) and np.linalg.norm(sky["map_positions"]) == pytest.approx(1)
    assert sky["map_positions_angles"].shape == (1, 2)
    assert res["marginals"][0]["scan_method"] == "grid" and res["marginals"][0]["real_cov_values"].shape == (5,)


def test_marginal_errors_name_the_argument():
    pdf = gojammy.pdf("s2+e4", "n+gggg")
    x = pdf.sample(samplesize=1, seed=1)[0]
    with pytest.raises(ValueError, match="sub_manifolds"):
        pdf.coverage_and_or_pdf_scan(labels=x, exact_coverage_calculation=True, sub_manifolds=[2])
    with pytest.raises(gojammy.GojammyValueError, match="sub_manifolds: sub-manifold 1 \\(e4\\) has no marginal scan"):
        pdf.coverage_and_or_pdf_scan(labels=x, exact_coverage_calculation=True, sub_manifolds=[1])
    with pytest.raises(ValueError, match="conditioning_samples"):
        pdf.coverage_and_or_pdf_scan(labels=x, exact_coverage_calculation=True, sub_manifolds=[0], conditioning_samples=0)
