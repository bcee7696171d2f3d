"""pdf(x) / forward and log_pdf_and_grad: shapes, dtypes, support, NaN and gradients."""

import numpy as np
import pytest

import gojammy
from models import ALL, UNCONDITIONAL, cond_for, make, model_id, points


@pytest.mark.parametrize("m", ALL, ids=model_id)
def test_forward_shapes_and_dtypes(m, rng):
    pdf = make(m)
    x = points(pdf, 9, rng)
    c = cond_for(pdf, 9, rng)
    log_pdf, base_log_pdf, base = pdf(x, conditional_input=c)
    assert log_pdf.shape == (9,) and base_log_pdf.shape == (9,)
    assert base.shape == (9, pdf.total_base_dim)
    for a in (log_pdf, base_log_pdf, base):
        assert a.dtype == np.float64 and a.flags.c_contiguous
    assert np.all(np.isfinite(log_pdf))
    # base_log_pdf is the standard-normal log-density of the base point
    ref = -0.5 * np.sum(base**2, axis=1) - 0.5 * pdf.total_base_dim * np.log(2 * np.pi)
    np.testing.assert_allclose(base_log_pdf, ref, rtol=1e-12, atol=1e-12)
    # forward is __call__
    again = pdf.forward(x, conditional_input=c)
    for a, b in zip((log_pdf, base_log_pdf, base), again):
        assert np.array_equal(a, b)


@pytest.mark.parametrize("m", UNCONDITIONAL, ids=model_id)
def test_input_conversions(m, rng):
    pdf = make(m)
    x = points(pdf, 5, rng)
    ref = pdf(x)[0]
    # lists, a Fortran-ordered copy, a strided view and float32 input are converted
    assert np.array_equal(pdf(x.tolist())[0], ref)
    assert np.array_equal(pdf(np.asfortranarray(x))[0], ref)
    wide = np.zeros((5, 2 * x.shape[1]))
    wide[:, ::2] = x
    assert np.array_equal(pdf(wide[:, ::2])[0], ref)
    ro = x.copy()
    ro.flags.writeable = False
    assert np.array_equal(pdf(ro)[0], ref)
    x32 = x.astype(np.float32)
    assert np.array_equal(pdf(x32)[0], pdf(x32.astype(np.float64))[0])
    # a 1-D x is one row
    one = pdf(x[2])
    assert one[0].shape == (1,) and one[0][0] == ref[2]
    # the input is not modified
    before = x.copy()
    pdf(x)
    assert np.array_equal(x, before)


@pytest.mark.parametrize("m", UNCONDITIONAL, ids=model_id)
def test_batch_rows_are_independent(m, rng):
    pdf = make(m)
    x = points(pdf, 600, rng)
    full = pdf(x)[0]
    single = np.array([pdf(row)[0][0] for row in x[:5]])
    # equal up to rounding: conditioning MLPs use matrix products whose summation order may
    # depend on the batch size
    np.testing.assert_allclose(full[:5], single, rtol=1e-13, atol=0)


@pytest.mark.parametrize("m", UNCONDITIONAL, ids=model_id)
def test_empty_batch(m):
    pdf = make(m)
    log_pdf, base_log_pdf, base = pdf(np.empty((0, pdf.total_target_dim)))
    assert log_pdf.shape == (0,) and base.shape == (0, pdf.total_base_dim)


@pytest.mark.parametrize("m", ALL, ids=model_id)
def test_shape_errors_name_the_argument(m, rng):
    pdf = make(m)
    d = pdf.total_target_dim
    c = cond_for(pdf, 4, rng)
    for bad in (np.zeros((4, d + 1)), np.zeros((4, d, 1)), np.zeros(d + 1), np.zeros(()), [[1.0], [1.0, 2.0]], np.array([["a"] * d])):
        with pytest.raises(ValueError, match="x"):
            pdf(bad, conditional_input=c)
    if pdf.conditional_input_dim:
        x = points(pdf, 4, rng)
        with pytest.raises(ValueError, match="conditional_input"):
            pdf(x)
        with pytest.raises(ValueError, match="conditional_input"):
            pdf(x, conditional_input=c[:3])
        with pytest.raises(ValueError, match="conditional_input"):
            pdf(x, conditional_input=np.zeros((4, pdf.conditional_input_dim + 1)))
    else:
        with pytest.raises(ValueError, match="conditional_input"):
            pdf(points(pdf, 4, rng), conditional_input=np.zeros((4, 1)))


def test_both_coordinate_flags_rejected(rng):
    pdf = gojammy.pdf("e2", "gg")
    with pytest.raises(ValueError, match="force_embedding_coordinates"):
        pdf(points(pdf, 2, rng), force_embedding_coordinates=True, force_intrinsic_coordinates=True)


def test_forced_coordinates_on_flat_manifolds_change_nothing(rng):
    pdf = make(("e2+i1_-1.0_2.0", "gg+r", {}))
    x = points(pdf, 7, rng)
    ref = pdf(x)[0]
    assert np.array_equal(pdf(x, force_embedding_coordinates=True)[0], ref)
    assert np.array_equal(pdf(x, force_intrinsic_coordinates=True)[0], ref)


def test_outside_support_is_minus_inf_and_nan_rows_are_nan(rng):
    pdf = make(("e2+i1_-1.0_2.0", "gg+r", {}))
    x = points(pdf, 6, rng)
    x[1, 2] = 2.5  # interval is [-1, 2]
    x[2, 2] = -1.5
    x[3, 0] = np.nan
    x[4, 2] = np.nan
    log_pdf, base_log_pdf, base = pdf(x)
    assert log_pdf[1] == -np.inf and log_pdf[2] == -np.inf
    assert np.isnan(log_pdf[3]) and np.isnan(log_pdf[4])
    good = [0, 5]
    assert np.all(np.isfinite(log_pdf[good])) and np.all(np.isfinite(base[good]))
    # the other rows are unaffected
    assert np.array_equal(log_pdf[good], pdf(x[good])[0])
    # infinite coordinates on R^2 are not in the support either
    x[5, 0] = np.inf
    assert pdf(x)[0][5] == -np.inf or np.isnan(pdf(x)[0][5])


@pytest.mark.parametrize("m", ALL, ids=model_id)
def test_log_pdf_and_grad(m, rng):
    pdf = make(m)
    x = points(pdf, 6, rng)
    c = cond_for(pdf, 6, rng)
    log_pdf, grad_params, grad_x = pdf.log_pdf_and_grad(x, conditional_input=c)
    assert log_pdf.shape == (6,) and grad_params.shape == (pdf.count_parameters(),) and grad_x.shape == x.shape
    np.testing.assert_allclose(log_pdf, pdf(x, conditional_input=c)[0], rtol=1e-13, atol=1e-13)
    # central finite differences on a few parameters and on x
    p0 = pdf.get_parameters()
    eps = 1e-6
    for i in np.random.default_rng(1).choice(p0.size, size=min(5, p0.size), replace=False):
        p = p0.copy()
        p[i] += eps
        pdf.set_parameters(p)
        up = pdf(x, conditional_input=c)[0].sum()
        p[i] -= 2 * eps
        pdf.set_parameters(p)
        down = pdf(x, conditional_input=c)[0].sum()
        np.testing.assert_allclose(grad_params[i], (up - down) / (2 * eps), rtol=1e-4, atol=1e-6)
    pdf.set_parameters(p0)
    for r, j in [(0, 0), (3, x.shape[1] - 1)]:
        xp, xm = x.copy(), x.copy()
        xp[r, j] += eps
        xm[r, j] -= eps
        fd = (pdf(xp, conditional_input=c)[0].sum() - pdf(xm, conditional_input=c)[0].sum()) / (2 * eps)
        np.testing.assert_allclose(grad_x[r, j], fd, rtol=1e-4, atol=1e-6)


def test_grad_skips_rows_outside_support(rng):
    pdf = make(("e2+i1_-1.0_2.0", "gg+r", {}))
    x = points(pdf, 4, rng)
    _, g_ref, _ = pdf.log_pdf_and_grad(x[:2])
    x[2, 2], x[3, 0] = 5.0, np.nan
    log_pdf, g, gx = pdf.log_pdf_and_grad(x)
    np.testing.assert_allclose(g, g_ref, rtol=1e-12, atol=1e-14)
    assert np.all(gx[2] == 0) and np.all(np.isnan(gx[3]))
    assert log_pdf[2] == -np.inf and np.isnan(log_pdf[3])
