"""The raw ctypes layer (gojammy._api prototypes): arrays are typed pointers, so a float32,
non-contiguous or read-only-output array raises before the library could read or write garbage;
option structs carry their struct_size; a model poisoned by a panic inside the library raises on
every later call."""

import ctypes
import os
import subprocess
import sys

import numpy as np
import pytest

import gojammy
from gojammy import _api, _lib


@pytest.fixture
def model():
    with gojammy.pdf("e2", "gg") as pdf:
        yield pdf


def log_density(pdf, x, log_pdf, base=None):
    coords = _api.Coords(kind=_api.COORDS_SAVED)
    n = log_pdf.shape[0]
    return _lib.lib().gj_pdf_log_density(
        pdf.handle, x, n, 2 * n, None, 0, coords, log_pdf, None, base, 0 if base is None else base.size
    )


def test_float64_contiguous_arrays_pass(model):
    x = np.array([[0.1, 0.2], [0.3, -0.4]])
    lp = np.empty(2)
    assert log_density(model, x, lp) == _api.OK
    assert np.array_equal(lp, model(x)[0])


@pytest.mark.parametrize(
    "bad",
    [
        np.array([[0.1, 0.2], [0.3, -0.4]], dtype=np.float32),  # another dtype
        np.array([[0.1, 9.0, 0.2], [0.3, 9.0, -0.4]])[:, ::2],  # not contiguous
        np.asfortranarray(np.array([[0.1, 0.2], [0.3, -0.4]])),  # column-major
        [[0.1, 0.2], [0.3, -0.4]],  # not an array
        ctypes.c_void_p(16),  # a raw address
    ],
    ids=["float32", "strided", "fortran", "list", "address"],
)
def test_wrong_input_arrays_raise(model, bad):
    with pytest.raises(ctypes.ArgumentError, match="C-contiguous float64"):
        log_density(model, bad, np.empty(2))


def test_wrong_output_arrays_raise(model):
    x = np.array([[0.1, 0.2], [0.3, -0.4]])
    with pytest.raises(ctypes.ArgumentError, match="C-contiguous float64"):
        log_density(model, x, np.empty(2, dtype=np.float32))
    with pytest.raises(ctypes.ArgumentError, match="C-contiguous float64"):
        log_density(model, x, np.empty(4)[::2])
    read_only = np.empty(2)
    read_only.flags.writeable = False
    with pytest.raises(ctypes.ArgumentError, match="writable"):
        log_density(model, x, read_only)


def test_public_api_still_converts(model):
    x64 = np.array([[0.1, 0.2], [0.3, -0.4]])
    want = model(x64)[0]
    for x in (x64.tolist(), np.asfortranarray(x64), np.repeat(x64, 2, axis=1)[:, ::2]):
        assert np.array_equal(model(x)[0], want)
    assert np.allclose(model(x64.astype(np.float32))[0], want, rtol=1e-6)


def test_structs_carry_their_size(model):
    assert _api.Coords().struct_size == ctypes.sizeof(_api.Coords) == 32
    assert _api.FitOptions(epochs=3).struct_size == ctypes.sizeof(_api.FitOptions)
    coords = _api.Coords(kind=_api.COORDS_SAVED)
    coords.struct_size = ctypes.sizeof(_api.Coords) + 8
    dim = ctypes.c_int64(0)
    status = _lib.lib().gj_pdf_dims(model.handle, coords, ctypes.byref(dim), None, None, None)
    assert status == _api.ERR_ARGUMENT and "struct_size" in _lib.last_error()


def test_poisoned_model_raises_until_closed():
    """With GOJAMMY_TEST_PANIC=gj_pdf_sample (a test hook of the library, read when it is loaded),
    sample() panics inside the library; the model is then unusable, close() still works."""
    code = """
import gojammy, numpy as np
from gojammy import _api
pdf = gojammy.pdf("e2", "gg")
try:
    pdf.sample(samplesize=3, seed=1)
except gojammy.GojammyError as e:
    assert e.status == _api.ERR_INTERNAL, e
    assert "GOJAMMY_TEST_PANIC=gj_pdf_sample" in str(e), e
else:
    raise AssertionError("no panic")
try:
    pdf(np.zeros((1, 2)))
except gojammy.GojammyError as e:
    assert e.status == _api.ERR_POISONED, e
    assert "unusable because an earlier call failed inside the library" in str(e), e
else:
    raise AssertionError("not poisoned")
pdf.close()
print("ok")
"""
    env = dict(os.environ, GOJAMMY_TEST_PANIC="gj_pdf_sample")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


def test_converted_argument_keeps_its_array():
    x = np.arange(4.0)
    ptr = _api._Doubles.from_param(x)
    assert ptr._array is x and ptr.value == x.ctypes.data
    read_only = np.arange(3.0)
    read_only.flags.writeable = False
    assert _api._Doubles.from_param(read_only).value == read_only.ctypes.data
    assert _api._Doubles.from_param(None) is None
