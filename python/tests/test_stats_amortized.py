"""Statistics of amortize_everything PDFs (amortization_parameters: one row per conditional row)
and the s2 entropy scan of marginal_moments / calc_kl_diff_and_entropic_quantities."""

import numpy as np
import pytest

import gojammy


def _pair(pdf_defs, flow_defs):
    """An ordinary PDF (custom-mode MLPs), its amortize_everything twin whose amortization row
    is the ordinary PDF's parameter vector, and two such rows."""
    plain = gojammy.pdf(pdf_defs, flow_defs, amortization_mlp_use_custom_mode=True)
    amortized = gojammy.pdf(pdf_defs, flow_defs, amortization_mlp_use_custom_mode=True, amortize_everything=True)
    assert amortized.total_number_amortizable_params == plain.count_parameters()
    v = plain.get_parameters()
    rows = v + 0.3 * np.random.default_rng(2).standard_normal((2, v.size))
    plain.set_parameters(rows[0])
    return plain, amortized, rows


def test_amortized_statistics_of_row_0_are_the_ordinary_pdfs():
    # 256 draws per row: row 0's draws are the ordinary PDF's (the generator's blocks of 256)
    plain, amortized, rows = _pair("e1+e1", "g+g")
    a = amortized.entropy(sub_manifolds=[-1, 0, 1], samplesize=256, seed=3, amortization_parameters=rows)
    b = plain.entropy(sub_manifolds=[-1, 0, 1], samplesize=256, seed=3)
    for k in b:
        assert a[k].shape == (2,)
        assert abs(a[k][0] - b[k][0]) < 1e-12
    value, _, grads = amortized.entropy_grad(samplesize=256, seed=3, amortization_parameters=rows)
    _, _, plain_grads = plain.entropy_grad(samplesize=256, seed=3)
    assert value[0] == a["total"][0]
    assert grads["amortization_parameters"].shape == rows.shape and grads["parameters"].shape == (0,)
    np.testing.assert_allclose(grads["amortization_parameters"][0], plain_grads["parameters"], rtol=1e-9, atol=1e-12)
    f = lambda x: ((x ** 2).sum(axis=1), 2 * x)  # noqa: E731
    ea = amortized.expectation(f, samplesize=256, seed=4, grad=True, amortization_parameters=rows)
    ep = plain.expectation(f, samplesize=256, seed=4, grad=True)
    assert abs(ea["mean"][0] - ep["mean"][0]) < 1e-12
    np.testing.assert_allclose(ea["amortization_parameters"][0], ep["parameters"], rtol=1e-9, atol=1e-12)
    ma = amortized.moments(order=2, samplesize=256, seed=5, amortization_parameters=rows)["moments"]
    mp = plain.moments(order=2, samplesize=256, seed=5)["moments"]
    np.testing.assert_allclose(ma[0], mp[0], rtol=1e-12, atol=1e-12)
    ka = amortized.calc_kl_diff_and_entropic_quantities(samplesize=256, seed=6, amortization_parameters=rows)
    kp = plain.calc_kl_diff_and_entropic_quantities(samplesize=256, seed=6)
    for k in kp:
        assert abs(ka[k][0] - kp[k][0]) < 1e-10, k
    h, samples = amortized.entropy_iterative(samplesize=256, iterative_samplesize=16, seed=3, return_samples=True, amortization_parameters=rows)
    assert samples.shape == (512, 2) and h["total"][0] == a["total"][0]


def test_amortized_entropy_gradient_against_finite_differences():
    _, amortized, rows = _pair("e2", "gg")
    _, _, grads = amortized.entropy_grad(samplesize=100, seed=7, amortization_parameters=rows)
    eps = 1e-6
    for j in range(0, rows.shape[1], rows.shape[1] // 6):
        d = np.zeros_like(rows)
        d[1, j] = eps
        fd = (amortized.entropy(samplesize=100, seed=7, amortization_parameters=rows + d)["total"].sum()
              - amortized.entropy(samplesize=100, seed=7, amortization_parameters=rows - d)["total"].sum()) / (2 * eps)
        assert abs(grads["amortization_parameters"][1, j] - fd) < 1e-5 * (1 + abs(fd))


def test_amortization_parameters_errors():
    plain, amortized, rows = _pair("e1", "g")
    with pytest.raises(ValueError, match="amortization_parameters"):
        amortized.entropy()
    with pytest.raises(ValueError, match="amortization_parameters"):
        amortized.marginal_moments(amortization_parameters=rows[:, :-1])
    with pytest.raises(ValueError, match="amortization_parameters"):
        plain.entropy_grad(amortization_parameters=rows)
    cond_amortized = gojammy.pdf(
        "e1", "g", conditional_input_dim=2, amortization_mlp_use_custom_mode=True, amortize_everything=True
    )
    a = np.tile(cond_amortized.init_params(), (3, 1))
    with pytest.raises(ValueError, match="amortization_parameters: has 3 rows, conditional_input has 2"):
        cond_amortized.moments(conditional_input=np.zeros((2, 2)), amortization_parameters=a)
    assert cond_amortized.moments(conditional_input=np.zeros((3, 2)), amortization_parameters=a, samplesize=10)["moments"].shape == (3, 2, 1)


def test_fully_amortized_pdf_statistics_take_conditional_input():
    p = gojammy.fully_amortized_pdf("e1", "g", conditional_input_dim=2)
    value, _, grads = p.entropy_grad(conditional_input=np.zeros((2, 2)), samplesize=50, seed=1)
    assert value.shape == (2,) and grads["parameters"].shape == (p.count_parameters(),)
    assert "amortization_parameters" not in grads


def test_s2_entropy_scanning_matches_sampling():
    p = gojammy.pdf("s2", "n")
    v = p.get_parameters()
    p.set_parameters(v + 0.3 * np.random.default_rng(9).standard_normal(v.size))
    scan = p.calc_kl_diff_and_entropic_quantities(samplesize=200, seed=1, s2_entropy_scanning=True)
    h, err = p.entropy(samplesize=50000, seed=2, return_std_error=True)
    assert scan["entropy_total"][0] == scan["entropy_0"][0]
    assert abs(scan["entropy_0"][0] - h["total"][0]) < 4 * err["total"][0]
    assert scan["entropy_0"][0] < np.log(4 * np.pi) - 0.1  # not the uniform sphere
    m = p.marginal_moments(samplesize=200, seed=1, s2_entropy_scanning=True)  # ignored without KL, as upstream
    assert "entropy_0" not in m


def test_s2_entropy_scanning_errors():
    with pytest.raises(ValueError, match="s2_entropy_scanning: sub-manifold 0 must be s2"):
        gojammy.pdf("e1+s2", "g+f").calc_kl_diff_and_entropic_quantities(samplesize=20, s2_entropy_scanning=True)
    with pytest.raises(ValueError, match="s2_entropy_scan_nside: must be a power of two"):
        gojammy.pdf("s2", "f").calc_kl_diff_and_entropic_quantities(
            samplesize=20, s2_entropy_scanning=True, s2_entropy_scan_nside=24
        )
