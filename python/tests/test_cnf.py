"""The manifold ODE layer c on s2 through the Python package: parameter count, options, and the
sampling and density directions agreeing to the ODE tolerance."""

import numpy as np
import pytest

import gojammy


def test_s2_c_round_trip():
    pdf = gojammy.pdf("s2", "c", seed=1)
    assert pdf.count_parameters() == 259
    x, base, log_pdf, _ = pdf.sample(samplesize=40, seed=2)
    lp, _, b = pdf(x)
    np.testing.assert_allclose(lp, log_pdf, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(b, base, atol=1e-5)


def test_s2_c_options():
    pdf = gojammy.pdf("s2", "c", options_overwrite={"c": {"solver": "rk4", "cnf_network_hidden_dims": "16-16"}}, seed=1)
    assert pdf.count_parameters() == 403
    with pytest.raises(Exception, match="solver"):
        gojammy.pdf("s2", "c", options_overwrite={"c": {"solver": "dopri9"}})
