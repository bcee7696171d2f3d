"""Vector-Jacobian products: log_pdf_vjp and sample_vjp against finite differences, for
unconditional, conditional and list-conditional PDFs; argument errors name the argument."""

import numpy as np
import pytest

import gojammy

H = 1e-6


def central(f, v, idx):
    """Central finite difference of the scalar f() in v.flat[idx] (f reads v)."""
    orig = v.flat[idx]
    v.flat[idx] = orig + H
    fp = f()
    v.flat[idx] = orig - H
    fm = f()
    v.flat[idx] = orig
    return (fp - fm) / (2 * H)


def close(a, b):
    return abs(a - b) <= 2e-5 * max(1.0, abs(b))


MODELS = [
    ("e2+i1", "gg+r", {}),
    ("s2", "f", {}),
    ("e2", "gg", {"conditional_input_dim": 2, "amortization_mlp_dims": "8"}),
    ("e1+s2", "g+f", {"conditional_input_dim": [2, None], "amortization_mlp_dims": "8"}),
]


def conditional_input(pdf, n, rng):
    dims = pdf.conditional_input_dim
    if dims is None:
        return None
    if isinstance(dims, list):
        return [None if d is None else rng.normal(size=(n, d)) for d in dims]
    return rng.normal(size=(n, dims))


def cond_arrays(cond):
    """The arrays of a conditional input (the entries of a list)."""
    if cond is None:
        return []
    return [c for c in cond if c is not None] if isinstance(cond, list) else [cond]


@pytest.mark.parametrize("m", MODELS, ids=lambda m: f"{m[0]}:{m[1]}")
def test_log_pdf_vjp(m):
    rng = np.random.default_rng(1)
    pdf = gojammy.pdf(m[0], m[1], seed=5, **m[2])
    params = pdf.get_parameters() + 0.1 * rng.normal(size=pdf.count_parameters())
    pdf.set_parameters(params)
    n = 4
    cond = conditional_input(pdf, n, rng)
    x = pdf.sample(conditional_input=cond, samplesize=n, seed=2)[0]
    w = np.array([1.0, -0.5, 2.0, 0.25])
    log_pdf, grads = pdf.log_pdf_vjp(x, d_log_pdf=w, conditional_input=cond)
    np.testing.assert_array_equal(log_pdf, pdf(x, cond)[0])

    def loss():
        return float(w @ pdf(x, cond)[0])

    for j in rng.choice(params.size, 8, replace=False):
        fd = central(lambda: (pdf.set_parameters(params), loss())[1], params, j)
        assert close(grads["parameters"][j], fd)
    pdf.set_parameters(params)
    if "s" not in m[0]:
        for j in range(x.size):
            assert close(grads["x"].flat[j], central(loss, x, j))
    given, got = cond_arrays(cond), cond_arrays(grads["conditional_input"])
    assert len(given) == len(got)
    for c, g in zip(given, got):
        assert g.shape == c.shape
        for j in range(c.size):
            assert close(g.flat[j], central(loss, c, j))
    # log_pdf_and_grad is the all-ones product
    _, gp, gx = pdf.log_pdf_and_grad(x, cond)
    _, ones = pdf.log_pdf_vjp(x, conditional_input=cond)
    np.testing.assert_array_equal(gp, ones["parameters"])
    np.testing.assert_array_equal(gx, ones["x"])


@pytest.mark.parametrize("m", MODELS, ids=lambda m: f"{m[0]}:{m[1]}")
def test_sample_vjp(m):
    rng = np.random.default_rng(3)
    pdf = gojammy.pdf(m[0], m[1], seed=6, **m[2])
    params = pdf.get_parameters() + 0.1 * rng.normal(size=pdf.count_parameters())
    pdf.set_parameters(params)
    n = 3
    cond = conditional_input(pdf, n, rng)
    dim = pdf.total_target_dim_intrinsic
    a, b = rng.normal(size=(n, dim)), rng.normal(size=n)
    samples, log_pdf, grads = pdf.sample_vjp(d_samples=a, d_log_pdf=b, conditional_input=cond, samplesize=n, seed=8)
    drawn = pdf.sample(conditional_input=cond, samplesize=n, seed=8)
    np.testing.assert_array_equal(samples, drawn[0])
    np.testing.assert_array_equal(log_pdf, drawn[2])
    assert grads["base"].shape == drawn[1].shape

    def loss():
        s, _, lp, _ = pdf.sample(conditional_input=cond, samplesize=n, seed=8)
        return float(np.sum(a * s) + b @ lp)

    for j in rng.choice(params.size, 8, replace=False):
        fd = central(lambda: (pdf.set_parameters(params), loss())[1], params, j)
        assert close(grads["parameters"][j], fd)
    pdf.set_parameters(params)
    for c, g in zip(cond_arrays(cond), cond_arrays(grads["conditional_input"])):
        for j in range(c.size):
            assert close(g.flat[j], central(loss, c, j))


def test_vjp_argument_errors():
    pdf = gojammy.pdf("e2", "gg", seed=1)
    x = pdf.sample(samplesize=3, seed=1)[0]
    with pytest.raises(ValueError, match="d_log_pdf"):
        pdf.log_pdf_vjp(x, d_log_pdf=np.ones(2))
    with pytest.raises(ValueError, match="d_samples"):
        pdf.sample_vjp(d_samples=np.ones((2, 2)), samplesize=3)
    with pytest.raises(ValueError, match="d_samples"):
        pdf.sample_vjp(d_samples=np.ones((3, 5)), samplesize=3)
    with pytest.raises(ValueError, match="d_log_pdf"):
        pdf.sample_vjp(d_log_pdf=np.ones(4), samplesize=3)
    _, _, grads = pdf.sample_vjp(samplesize=2, seed=1)
    assert not grads["parameters"].any() and grads["conditional_input"] is None


def test_vjp_with_amortization_parameters():
    """amortize_everything: the weighted gradients of log_pdf and of samples with respect to the
    per-event amortization parameters, against finite differences."""
    rng = np.random.default_rng(9)
    pdf = gojammy.pdf("e1+s2", "g+f", amortize_everything=True, amortization_mlp_use_custom_mode=True, seed=2)
    row = pdf.init_params(seed=3)
    n = 3
    amort = np.tile(row, (n, 1)) + 0.05 * rng.normal(size=(n, row.size))
    x = pdf.sample(amortization_parameters=amort, seed=4)[0]
    w = np.array([1.0, -0.5, 2.0])
    log_pdf, grads = pdf.log_pdf_vjp(x, d_log_pdf=w, amortization_parameters=amort)
    assert grads["amortization_parameters"].shape == amort.shape

    def loss():
        return float(w @ pdf(x, amortization_parameters=amort)[0])

    for j in rng.choice(amort.size, 10, replace=False):
        assert close(grads["amortization_parameters"].flat[j], central(loss, amort, j))
    a, b = rng.normal(size=x.shape), rng.normal(size=n)
    samples, _, sgrads = pdf.sample_vjp(d_samples=a, d_log_pdf=b, amortization_parameters=amort, seed=6)

    def sample_loss():
        s, _, lp, _ = pdf.sample(amortization_parameters=amort, seed=6)
        return float(np.sum(a * s) + b @ lp)

    for j in rng.choice(amort.size, 10, replace=False):
        assert close(sgrads["amortization_parameters"].flat[j], central(sample_loss, amort, j))
    assert grads["conditional_input"] is None
    plain = gojammy.pdf("e2", "gg", seed=1)
    assert plain.log_pdf_vjp(np.zeros((2, 2)))[1]["amortization_parameters"] is None
