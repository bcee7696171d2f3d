"""Simplex manifolds a<d> with the layers w and u through the Python package: construction,
parameter counts (jammy_flows' 8,316 for "a2" "w"), densities in both coordinate systems,
support, sampling round trips and normalization."""

import math

import numpy as np
import pytest

import gojammy


def test_a2_w_counts_and_round_trip():
    pdf = gojammy.pdf("a2", "w", seed=1)
    assert pdf.count_parameters() == 8316
    assert pdf.total_target_dim_intrinsic == 2 and pdf.total_target_dim_embedded == 3
    x, base, log_pdf, base_log_pdf = pdf.sample(samplesize=200, seed=3)
    assert x.shape == (200, 2)
    assert np.all(x >= 0) and np.all(x.sum(axis=1) <= 1 + 1e-12)
    lp, blp, b = pdf(x)
    np.testing.assert_allclose(lp, log_pdf, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(b, base, atol=1e-9)


def test_a2_w_embedding_coordinates():
    """The canonical embedding (1 - x0 - x1, x0, x1) has sqrt(3) times the intrinsic volume."""
    pdf = gojammy.pdf("a2", "w", seed=1)
    x = np.array([[0.2, 0.3], [0.6, 0.1], [0.05, 0.9]])
    e = np.column_stack([1 - x.sum(axis=1), x])
    lp_i = pdf(x)[0]
    lp_e = pdf(e, force_embedding_coordinates=True)[0]
    np.testing.assert_allclose(lp_e, lp_i - 0.5 * math.log(3), rtol=1e-12)


def test_a2_outside_support_and_nan():
    pdf = gojammy.pdf("a2", "w", seed=1)
    x = np.array([[0.2, 0.3], [0.7, 0.4], [-0.1, 0.5], [np.nan, 0.1]])
    lp = pdf(x)[0]
    assert np.isfinite(lp[0])
    assert lp[1] == -np.inf and lp[2] == -np.inf
    assert np.isnan(lp[3])


@pytest.mark.parametrize("flow", ["w", "u"])
def test_a1_normalization(flow):
    """a1 is the unit interval: the midpoint rule on 20,000 cells gives 1 within 1e-6."""
    pdf = gojammy.pdf("a1", flow, seed=2)
    x = (np.arange(20000) + 0.5) / 20000
    assert abs(np.exp(pdf(x[:, None])[0]).sum() / 20000 - 1) < 1e-6


def test_simplex_in_joint_pdf():
    pdf = gojammy.pdf("e1+s2+a3+e1+s2", "g+v+w+g+v", amortization_mlp_dims="16", seed=4)
    x, _, log_pdf, _ = pdf.sample(samplesize=50, seed=5)
    assert x.shape == (50, 1 + 2 + 3 + 1 + 2)
    np.testing.assert_allclose(pdf(x)[0], log_pdf, rtol=1e-7, atol=1e-7)
