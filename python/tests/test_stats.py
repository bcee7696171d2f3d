"""Statistics methods (entropy, entropy_iterative, entropy_grad, expectation, moments,
marginal_moments, calc_kl_diff_and_entropic_quantities, gof_pvalue, fit_variational): shapes and
keys as upstream's, values against analytic results and the library's Go tests."""

import numpy as np
import pytest

import gojammy


def _perturbed(pdf_defs, flow_defs, spread=0.3, seed=3, **kw):
    p = gojammy.pdf(pdf_defs, flow_defs, **kw)
    v = p.get_parameters()
    p.set_parameters(v + spread * np.random.default_rng(seed).standard_normal(v.size))
    return p


def test_entropy_of_identity_flow_is_gaussian_entropy():
    p = gojammy.pdf("e2", "x")  # the identity: a standard normal
    h, err = p.entropy(sub_manifolds=[-1, 0], samplesize=20000, seed=1, return_std_error=True)
    assert set(h) == {"total", 0} and h["total"].shape == (1,)
    want = np.log(2 * np.pi * np.e)  # 2 * 0.5 log(2 pi e)
    assert abs(h["total"][0] - want) < 4 * err["total"][0] + 1e-3


def test_entropy_iterative_matches_entropy_and_returns_samples():
    p = _perturbed("e1+e1", "g+g")
    a = p.entropy(sub_manifolds=[-1, 0, 1], samplesize=200, seed=5)
    b, samples = p.entropy_iterative(sub_manifolds=[-1, 0, 1], samplesize=200, iterative_samplesize=20, seed=5, return_samples=True)
    for k in a:
        np.testing.assert_array_equal(a[k], b[k])
    assert samples.shape == (200, 2)
    log_pdf = p(samples, force_embedding_coordinates=True)[0]
    assert abs(-log_pdf.mean() - a["total"][0]) < 1e-12
    with pytest.raises(ValueError, match="iterative_samplesize"):
        p.entropy_iterative(samplesize=100, iterative_samplesize=30)


def test_entropy_conditional_rows_and_gradient():
    p = _perturbed("e2", "gg", conditional_input_dim=2, amortization_mlp_dims="8")
    cond = np.array([[0.3, -0.7], [1.1, 0.4], [0.0, 0.0]])
    h = p.entropy(conditional_input=cond, samplesize=300, seed=2)
    value, err, grads = p.entropy_grad(conditional_input=cond, samplesize=300, seed=2)
    np.testing.assert_allclose(value, h["total"], rtol=0, atol=1e-12)
    assert err.shape == (3,) and grads["parameters"].shape == (p.count_parameters(),)
    # the conditional gradient against central differences of the estimate (same base draws)
    eps = 1e-6
    for j in range(2):
        d = np.zeros_like(cond)
        d[0, j] = eps
        fd = (p.entropy(conditional_input=cond + d, samplesize=300, seed=2)["total"].sum()
              - p.entropy(conditional_input=cond - d, samplesize=300, seed=2)["total"].sum()) / (2 * eps)
        assert abs(grads["conditional_input"][0, j] - fd) < 1e-5 * (1 + abs(fd))


def test_expectation_and_its_gradient():
    p = _perturbed("e2", "gg")
    f = lambda x: ((x ** 2).sum(axis=1), 2 * x)  # noqa: E731
    r = p.expectation(f, samplesize=2000, seed=4, grad=True)
    m = p.moments(order=2, samplesize=2000, seed=4)
    assert abs(r["mean"][0] - m["moments"][0, 1].sum()) < 1e-10  # the same draws
    v = p.get_parameters()
    j = int(np.argmax(np.abs(r["parameters"])))
    eps = 1e-6
    vp, vm = v.copy(), v.copy()
    vp[j] += eps
    vm[j] -= eps
    p.set_parameters(vp)
    hi = p.expectation(lambda x: (x ** 2).sum(axis=1), samplesize=2000, seed=4)["mean"][0]
    p.set_parameters(vm)
    lo = p.expectation(lambda x: (x ** 2).sum(axis=1), samplesize=2000, seed=4)["mean"][0]
    p.set_parameters(v)
    assert abs(r["parameters"][j] - (hi - lo) / (2 * eps)) < 1e-5 * (1 + abs(r["parameters"][j]))


def test_expectation_reraises_the_callback_error():
    p = gojammy.pdf("e1", "g")

    def bad(x):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        p.expectation(bad, samplesize=10)
    with pytest.raises(ValueError, match="values"):
        p.expectation(lambda x: np.zeros(3), samplesize=10)
    with pytest.raises(ValueError, match=r"\(values, grad\)"):
        p.expectation(lambda x: np.zeros(len(x)), samplesize=10, grad=True)


def test_marginal_moments_keys_euclidean_and_spheres():
    p = _perturbed("e2+s1+s2", "gg+y+f")
    m = p.marginal_moments(samplesize=200, seed=3, calc_kl_diff_and_entropic_quantities=True, return_samples=True)
    for key, shape in {
        "mean_0": (1, 2), "varlike_0": (1, 2, 2), "argmax_0": (1, 2), "approx_entropy_0": (1,),
        "mean_1": (1, 2), "varlike_1": (1, 1), "mean_1_angles": (1, 1), "approx_entropy_1": (1,),
        "mean_2": (1, 3), "mean_2_angles": (1, 2), "azivar_2": (1,), "zlp_kent_gamma1_2": (1, 3), "zlp_kent_u_2": (1,),
        "entropy_1": (1,), "kl_diff_exact_approx_2": (1,), "entropy_total": (1,), "samples_2": (1, 200, 3),
        "samples_1_angles": (1, 200, 1),
    }.items():
        assert m[key].shape == shape, key
    s = m["samples_0"][0]
    np.testing.assert_allclose(m["mean_0"][0], s.mean(axis=0), atol=1e-12)
    np.testing.assert_allclose(m["varlike_0"][0], np.cov(s.T), atol=1e-12)
    for k in range(3):  # the approximations have the largest entropy of their class
        assert m[f"kl_diff_exact_approx_{k}"][0] > -0.1
    assert np.allclose(np.linalg.norm(m["mean_2"], axis=1), 1)
    q = p.calc_kl_diff_and_entropic_quantities(samplesize=200, seed=3)
    assert q["entropy_total"][0] == m["entropy_total"][0]


def test_marginal_moments_circle_kappa():
    p = _perturbed("s1", "y")  # y on s1 is a rotation: the circle stays uniform
    m = p.marginal_moments(samplesize=5000, seed=1, calc_kl_diff_and_entropic_quantities=True)
    assert m["varlike_0"][0, 0] < 0.1
    assert abs(m["approx_entropy_0"][0] - np.log(2 * np.pi)) < 0.01
    assert "kl_diff_approx_exact_0" in m


def test_gof_pvalue():
    lik = _perturbed("e2", "g", conditional_input_dim=1, amortization_mlp_dims="8")
    post = _perturbed("e1", "g")
    x = lik.sample(conditional_input=np.full((4, 1), 0.2), seed=3)[0]
    r = gojammy.gof_pvalue(lik, post, x, trials=300, seed=1)
    assert 0 <= r["p_value"] <= 1 and r["t"].shape == (300,) and r["z"].shape == (300, 1)
    assert abs(r["std_error"] - np.sqrt(r["p_value"] * (1 - r["p_value"]) / 300)) < 1e-15
    assert r["p_value"] == np.mean(r["t"] > r["t_obs"])
    with pytest.raises(ValueError, match="x_obs"):
        gojammy.gof_pvalue(lik, post, np.zeros((4, 3)), trials=10)


def test_fit_variational_to_a_gaussian():
    p = gojammy.pdf("e2", "gg")
    mu, sigma = np.array([1.0, -0.5]), np.array([0.5, 2.0])

    def log_target(x):
        z = (x - mu) / sigma
        return -0.5 * (z ** 2).sum(axis=1), -z / sigma

    hist = p.fit_variational(log_target, steps=300, batch_size=256, learning_rate=2e-2, seed=1, progress=False)
    assert len(hist["loss"]) == 3 and hist["val_loss"] == []
    s = p.sample(samplesize=20000, seed=2)[0]
    np.testing.assert_allclose(s.mean(axis=0), mu, atol=0.1)
    np.testing.assert_allclose(s.std(axis=0), sigma, rtol=0.1)

    def broken(x):
        raise KeyError("target failed")

    before = p.get_parameters()
    with pytest.raises(KeyError, match="target failed"):
        p.fit_variational(broken, steps=5, progress=False)
    np.testing.assert_array_equal(p.get_parameters(), before)


def test_approximate_coverage_with_amortization_parameters():
    p = gojammy.pdf("e1+s2", "g+f", amortize_everything=True, amortization_mlp_use_custom_mode=True, amortization_mlp_dims="8")
    t = p.total_number_amortizable_params
    a = p.init_params(seed=1) + 0.05 * np.random.default_rng(2).normal(size=(50, t))
    x = p.sample(amortization_parameters=a, seed=5)[0]
    res = p.approximate_coverage(x, amortization_parameters=a, sub_manifolds=[-1, 1])
    base = p(x, amortization_parameters=a)[2]
    np.testing.assert_allclose(res["logprob_diffs"]["total"], (base ** 2).sum(axis=1), rtol=1e-9)
    np.testing.assert_allclose(res["logprob_diffs"][1], (base[:, 1:] ** 2).sum(axis=1), rtol=1e-9)
    with pytest.raises(ValueError, match="amortization_parameters"):
        p.approximate_coverage(x)


def test_coverage_scan_with_amortization_parameters():
    p = gojammy.pdf("e2", "gg", amortize_everything=True, amortization_mlp_use_custom_mode=True)
    t = p.total_number_amortizable_params
    a = p.init_params(seed=1) + 0.1 * np.random.default_rng(3).normal(size=(3, t))
    x = p.sample(amortization_parameters=a, seed=2)[0]
    res = p.coverage_and_or_pdf_scan(
        labels=x, amortization_parameters=a, exact_coverage_calculation=True, method="grid", grid_points=80, seed=4,
    )
    assert res["real_cov_values"].shape == (3,)
    plain = gojammy.pdf("e2", "gg", amortization_mlp_use_custom_mode=True)
    for r in range(3):  # the scan of row r is the scan of the ordinary PDF with those parameters
        plain.set_parameters(a[r])
        one = plain.coverage_and_or_pdf_scan(
            labels=x[r : r + 1], exact_coverage_calculation=True, method="grid", grid_points=80, seed=4 + r * 0x9E3779B97F4A7C15 % 2**64,
        )
        assert abs(one["real_cov_values"][0] - res["real_cov_values"][r]) < 1e-9
        assert abs(one["log_pdf_labels"][0] - res["log_pdf_labels"][r]) < 1e-9
