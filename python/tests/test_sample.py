"""pdf.sample: shapes, seeds, aliases, conditional sampling and consistency with pdf(x)."""

import numpy as np
import pytest

import gojammy
from models import ALL, UNCONDITIONAL, cond_for, make, model_id


@pytest.mark.parametrize("m", UNCONDITIONAL, ids=model_id)
def test_sample_shapes_and_consistency(m):
    pdf = make(m)
    samples, base, log_pdf, base_log_pdf = pdf.sample(samplesize=50, seed=3)
    assert samples.shape == (50, pdf.total_target_dim) and base.shape == (50, pdf.total_base_dim)
    assert log_pdf.shape == base_log_pdf.shape == (50,)
    for a in (samples, base, log_pdf, base_log_pdf):
        assert a.dtype == np.float64
    assert np.all(np.isfinite(log_pdf))
    # evaluating the samples returns the same base points and log-densities
    lp, blp, b = pdf(samples)
    np.testing.assert_allclose(lp, log_pdf, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(b, base, rtol=1e-8, atol=1e-8)
    np.testing.assert_allclose(blp, base_log_pdf, rtol=1e-9, atol=1e-9)


def test_samples_stay_in_the_interval():
    pdf = make(("e2+i1_-1.0_2.0", "gg+r", {}))
    samples = pdf.sample(samplesize=2000, seed=1)[0]
    assert samples[:, 2].min() >= -1.0 and samples[:, 2].max() <= 2.0
    assert samples[:, 2].max() > 1.0  # upstream's r clamps to [-1, 1]; gojammy covers the interval


@pytest.mark.parametrize("m", UNCONDITIONAL, ids=model_id)
def test_seeds(m):
    pdf = make(m)
    a = pdf.sample(samplesize=20, seed=11)
    b = pdf.sample(samplesize=20, seed=11)
    c = pdf.sample(samplesize=20, seed=12)
    for x, y in zip(a, b):
        assert np.array_equal(x, y)
    assert not np.array_equal(a[0], c[0])
    # seed=None draws the seed from numpy's global generator
    np.random.seed(5)
    d = pdf.sample(samplesize=20)
    np.random.seed(5)
    e = pdf.sample(samplesize=20)
    assert np.array_equal(d[0], e[0])
    # the first rows do not depend on how many are drawn
    assert np.array_equal(pdf.sample(samplesize=5, seed=11)[0], a[0][:5])


def test_nsamples_alias_and_defaults():
    pdf = make(("e2", "gg", {}))
    assert pdf.sample()[0].shape == (1, 2)
    assert np.array_equal(pdf.sample(nsamples=7, seed=2)[0], pdf.sample(samplesize=7, seed=2)[0])
    with pytest.raises(ValueError, match="nsamples"):
        pdf.sample(samplesize=3, nsamples=7)
    assert pdf.sample(samplesize=0)[0].shape == (0, 2)
    for bad in (-1, 2.5, "3"):
        with pytest.raises(ValueError, match="samplesize"):
            pdf.sample(samplesize=bad)
    for bad in (-1, 1.5, "x"):
        with pytest.raises(ValueError, match="seed"):
            pdf.sample(samplesize=2, seed=bad)


def test_sample_upstream_arguments():
    pdf = make(("e2", "gg", {}))
    pdf.sample(samplesize=2, seed=1, allow_gradients=False, dtype=np.float64, device="cpu", failsafe_crosscheck_tolerance=None)
    # numpy arrays carry no gradients: the same draws (sample_vjp gives their gradients)
    for a, b in zip(pdf.sample(samplesize=3, seed=4, allow_gradients=True), pdf.sample(samplesize=3, seed=4)):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="allow_gradients"):
        pdf.sample(samplesize=2, allow_gradients="yes")
    with pytest.raises(NotImplementedError, match="dtype"):
        pdf.sample(samplesize=2, dtype=np.float32)


def test_conditional_sampling():
    m = [m for m in ALL if m[2].get("conditional_input_dim")][0]
    pdf = make(m)
    rng = np.random.default_rng(4)
    c = cond_for(pdf, 30, rng)
    samples, base, log_pdf, _ = pdf.sample(conditional_input=c, samplesize=999, seed=1)
    assert samples.shape == (30, pdf.total_target_dim)  # one sample per conditional row
    np.testing.assert_allclose(pdf(samples, conditional_input=c)[0], log_pdf, rtol=1e-9, atol=1e-9)
    with pytest.raises(ValueError, match="conditional_input"):
        pdf.sample(samplesize=3)
    with pytest.raises(ValueError, match="conditional_input"):
        pdf.sample(conditional_input=np.zeros((3, pdf.conditional_input_dim + 2)))


def test_unconditional_rejects_conditional_input():
    pdf = gojammy.pdf("e2", "gg")
    with pytest.raises(ValueError, match="conditional_input"):
        pdf.sample(conditional_input=np.zeros((3, 1)))
