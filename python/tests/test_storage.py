"""save / load, bytes, pickling and closing."""

import copy
import pickle

import numpy as np
import pytest

import gojammy
from models import ALL, cond_for, make, model_id, points


@pytest.mark.parametrize("m", ALL, ids=model_id)
def test_save_load_bit_identical(m, tmp_path, rng):
    pdf = make(m)
    path = tmp_path / "model.safetensors"
    pdf.save(path)
    loaded = gojammy.load(path)
    assert np.array_equal(loaded.get_parameters(), pdf.get_parameters())
    assert loaded.pdf_defs == pdf.pdf_defs and loaded.flow_defs == pdf.flow_defs
    assert loaded.conditional_input_dim == pdf.conditional_input_dim
    assert loaded.num_parameter_list == pdf.num_parameter_list
    x, c = points(pdf, 50, rng), cond_for(pdf, 50, rng)
    for a, b in zip(pdf(x, conditional_input=c), loaded(x, conditional_input=c)):
        assert np.array_equal(a, b)
    if c is None:
        for a, b in zip(pdf.sample(samplesize=10, seed=4), loaded.sample(samplesize=10, seed=4)):
            assert np.array_equal(a, b)
    # str paths work too, and the file's bytes are to_bytes()
    pdf.save(str(path))
    assert path.read_bytes() == pdf.to_bytes()
    assert np.array_equal(gojammy.from_bytes(path.read_bytes()).get_parameters(), pdf.get_parameters())


def test_options_survive_save_load(tmp_path):
    opts = {"g": {"num_kde": 4}, (0, 1): {"g": {"fit_normalization": 0}}}
    pdf = gojammy.pdf("e2", "gg", options_overwrite=opts)
    pdf.save(tmp_path / "m.safetensors")
    loaded = gojammy.load(tmp_path / "m.safetensors")
    assert loaded.options_overwrite == pdf.options_overwrite
    assert loaded.num_parameter_list == pdf.num_parameter_list


@pytest.mark.parametrize("m", ALL, ids=model_id)
def test_pickle_and_copy(m, rng):
    pdf = make(m)
    x, c = points(pdf, 20, rng), cond_for(pdf, 20, rng)
    for clone in (pickle.loads(pickle.dumps(pdf)), copy.deepcopy(pdf), copy.copy(pdf)):
        assert clone.handle != pdf.handle
        assert np.array_equal(clone.get_parameters(), pdf.get_parameters())
        assert np.array_equal(clone(x, conditional_input=c)[0], pdf(x, conditional_input=c)[0])
    # a clone is independent of the original
    clone = pickle.loads(pickle.dumps(pdf))
    clone.set_parameters(np.zeros(pdf.count_parameters()))
    assert not np.array_equal(clone.get_parameters(), pdf.get_parameters())


def test_load_errors(tmp_path):
    with pytest.raises(gojammy.GojammyError, match="missing.safetensors"):
        gojammy.load(tmp_path / "missing.safetensors")
    junk = tmp_path / "junk.safetensors"
    junk.write_bytes(b"not a model at all")
    with pytest.raises(gojammy.GojammyError):
        gojammy.load(junk)
    good = gojammy.pdf("e2", "gg").to_bytes()
    with pytest.raises(gojammy.GojammyError):
        gojammy.from_bytes(good[: len(good) - 8])  # truncated
    corrupted = bytearray(good)
    corrupted[-1] ^= 0xFF  # parameters no longer match their checksum
    with pytest.raises(gojammy.GojammyError):
        gojammy.from_bytes(bytes(corrupted))
    with pytest.raises(ValueError):
        gojammy.from_bytes("text")


def test_save_errors(tmp_path):
    pdf = gojammy.pdf("e2", "gg")
    with pytest.raises(gojammy.GojammyError):
        pdf.save(tmp_path / "no" / "such" / "dir" / "m.safetensors")


def test_close_and_context_manager(rng):
    pdf = gojammy.pdf("e2", "gg")
    x = points(pdf, 3, rng)
    with pdf as p:
        assert p is pdf
        p(x)
    assert pdf.closed
    assert "closed" in repr(pdf)
    for call in (
        lambda: pdf(x),
        lambda: pdf.sample(samplesize=2),
        lambda: pdf.get_parameters(),
        lambda: pdf.set_parameters(np.zeros(3)),
        lambda: pdf.log_pdf_and_grad(x),
        lambda: pdf.fit(x, progress=False),
        lambda: pdf.init_params(),
        lambda: pdf.save("x.safetensors"),
        lambda: pickle.dumps(pdf),
    ):
        with pytest.raises(gojammy.GojammyError, match="closed"):
            call()
    pdf.close()  # closing twice is fine
