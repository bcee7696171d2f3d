"""get_parameters / set_parameters, init_params and fit."""

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

import gojammy
import gojammy._fit
from conftest import ROOT
from models import ALL, cond_for, model_id, points


@pytest.mark.parametrize("m", ALL, ids=model_id)
def test_parameters_round_trip(m, rng):
    pdf = gojammy.pdf(m[0], m[1], **m[2])
    p = pdf.get_parameters()
    assert p.dtype == np.float64 and p.shape == (pdf.count_parameters(),)
    x, c = points(pdf, 5, rng), cond_for(pdf, 5, rng)
    before = pdf(x, conditional_input=c)[0]
    q = p + 0.05 * rng.normal(size=p.size)
    pdf.set_parameters(q)
    assert np.array_equal(pdf.get_parameters(), q)
    assert not np.array_equal(pdf(x, conditional_input=c)[0], before)
    pdf.set_parameters(p.tolist())
    assert np.array_equal(pdf(x, conditional_input=c)[0], before)
    # get_parameters returns a copy
    got = pdf.get_parameters()
    got[:] = 0
    assert np.array_equal(pdf.get_parameters(), p)


def test_set_parameters_errors():
    pdf = gojammy.pdf("e2", "gg")
    n = pdf.count_parameters()
    for bad in (np.zeros(n + 1), np.zeros((1, n)), np.zeros(n - 1)):
        with pytest.raises(ValueError, match="values"):
            pdf.set_parameters(bad)
    with pytest.raises(ValueError, match="values"):
        pdf.set_parameters(["a"] * n)


@pytest.mark.parametrize("m", ALL, ids=model_id)
def test_init_params(m, rng):
    pdf = gojammy.pdf(m[0], m[1], **m[2])
    p0 = pdf.get_parameters()
    pdf.set_parameters(p0 + 1.0)
    pdf.init_params(seed=0)
    assert np.all(np.isfinite(pdf.get_parameters()))
    data = points(pdf, 500, rng) * 3 + 1
    data[:, -1] = points(pdf, 500, rng)[:, -1]
    pdf.init_params(data=data, damping_factor=100.0, seed=1)
    p1 = pdf.get_parameters()
    assert np.all(np.isfinite(p1))
    pdf.init_params(data=data, damping_factor=100.0, seed=1)
    assert np.array_equal(pdf.get_parameters(), p1)
    with pytest.raises(ValueError, match="data"):
        pdf.init_params(data=np.zeros((10, pdf.total_target_dim + 1)))
    with pytest.raises(ValueError, match="damping_factor"):
        pdf.init_params(damping_factor=0)


def test_init_params_with_data_fits_the_data_scale(rng):
    pdf = gojammy.pdf("e2", "gggg")
    data = rng.normal(size=(2000, 2)) * [5.0, 0.2] + [10.0, -3.0]
    before = pdf(data)[0].mean()
    pdf.init_params(data=data)
    assert pdf(data)[0].mean() > before + 1.0


def two_moons(n, rng):
    t = rng.uniform(0, np.pi, n)
    upper = rng.random(n) < 0.5
    x = np.where(upper, np.cos(t), 1 - np.cos(t))
    y = np.where(upper, np.sin(t), 0.5 - np.sin(t))
    return np.stack([x, y], axis=1) + rng.normal(scale=0.1, size=(n, 2))


def test_fit_improves_the_likelihood(rng):
    pdf = gojammy.pdf("e2", "gg")
    data, val = two_moons(2000, rng), two_moons(500, rng)
    start = -pdf(val)[0].mean()
    history = pdf.fit(data, epochs=4, batch_size=200, learning_rate=2e-2, validation_data=val, seed=1, progress=False)
    assert set(history) == {"loss", "val_loss", "skipped_nan", "skipped_outside"}
    assert len(history["loss"]) == len(history["val_loss"]) == 4
    assert all(isinstance(v, float) for v in history["loss"])
    assert min(history["val_loss"]) < start - 0.2
    # the best epoch's parameters are kept
    np.testing.assert_allclose(-pdf(val)[0].mean(), min(history["val_loss"]), rtol=1e-10)


def test_fit_is_reproducible_and_without_validation(rng):
    data = two_moons(600, rng)
    a, b = gojammy.pdf("e2", "gg", seed=2), gojammy.pdf("e2", "gg", seed=2)
    ha = a.fit(data, epochs=2, batch_size=100, seed=3, progress=False)
    hb = b.fit(data, epochs=2, batch_size=100, seed=3, progress=False)
    assert ha == hb and ha["val_loss"] == []
    assert np.array_equal(a.get_parameters(), b.get_parameters())


@pytest.mark.parametrize("m", [m for m in ALL if m[2].get("conditional_input_dim")], ids=model_id)
def test_fit_conditional(m, rng):
    pdf = gojammy.pdf(m[0], m[1], **m[2])
    x, c = points(pdf, 300, rng), cond_for(pdf, 300, rng)
    vx, vc = points(pdf, 100, rng), cond_for(pdf, 100, rng)
    h = pdf.fit(x, conditional_input=c, epochs=2, batch_size=100, validation_data=(vx, vc), seed=0, progress=False)
    assert len(h["val_loss"]) == 2 and np.all(np.isfinite(h["val_loss"]))
    with pytest.raises(ValueError, match="validation_data"):
        pdf.fit(x, conditional_input=c, epochs=1, validation_data=vx, progress=False)
    with pytest.raises(ValueError, match="conditional_input"):
        pdf.fit(x, epochs=1, progress=False)


def test_fit_argument_errors(rng):
    pdf = gojammy.pdf("e2", "gg")
    data = two_moons(100, rng)
    for kwargs, word in [
        ({"epochs": 0}, "epochs"),
        ({"batch_size": 0}, "batch_size"),
        ({"learning_rate": 0}, "learning_rate"),
        ({"learning_rate": -1.0}, "learning_rate"),
        ({"validation_data": np.zeros((3, 3))}, "validation_data"),
        ({"seed": -2}, "seed"),
    ]:
        with pytest.raises(ValueError, match=word):
            pdf.fit(data, progress=False, **kwargs)
    with pytest.raises(ValueError, match="data"):
        pdf.fit(np.zeros((10, 3)), progress=False)
    with pytest.raises(ValueError, match="data"):
        pdf.fit(np.zeros((0, 2)), progress=False)
    # no row with a finite log-density (all NaN): the library's error
    with pytest.raises(ValueError, match="data"):
        pdf.fit(np.full((10, 2), np.nan), epochs=1, progress=False)


def test_progress_bar(rng, capsys):
    pdf = gojammy.pdf("e2", "g")
    data = two_moons(400, rng)
    pdf.fit(data, epochs=2, batch_size=100, seed=0, progress="always")
    err = capsys.readouterr().err
    assert "8/8" in err and "loss" in err  # the plain bar, or tqdm when installed
    pdf.fit(data, epochs=1, batch_size=100, seed=0, progress=False)
    pdf.fit(data, epochs=1, batch_size=100, seed=0)  # stderr is not a terminal under pytest
    assert capsys.readouterr().err == ""


def test_interrupt_stops_training_and_keeps_the_model(rng, monkeypatch):
    class Interrupting:
        def __init__(self, *a, **k):
            self.calls = 0

        def update(self, n, postfix):
            self.calls += 1
            if n >= 3:
                raise KeyboardInterrupt

        def close(self):
            pass

    monkeypatch.setattr(gojammy._fit, "progress_bar", Interrupting)
    monkeypatch.setattr(gojammy._fit, "_REDRAW_INTERVAL", 0.0)
    pdf = gojammy.pdf("e2", "gg")
    before = pdf.get_parameters()
    with pytest.raises(KeyboardInterrupt):
        pdf.fit(two_moons(1000, rng), epochs=5, batch_size=100, seed=0)
    after = pdf.get_parameters()
    assert not np.array_equal(before, after) and np.all(np.isfinite(after))
    # the model is still usable and not locked
    pdf.set_parameters(before)
    assert np.all(np.isfinite(pdf(two_moons(5, rng))[0]))


CHILD = """
import time, numpy as np, gojammy
pdf = gojammy.pdf("e2", "gg")
x = np.random.default_rng(0).normal(size=(2000, 2))
before = pdf.get_parameters()
print("ready", flush=True)
t = time.monotonic()
try:
    pdf.fit(x, epochs=100000, batch_size=100, progress=False)
except KeyboardInterrupt:
    after = pdf.get_parameters()
    ok = np.isfinite(after).all() and not np.array_equal(before, after) and np.isfinite(pdf(x)[0]).all()
    print("interrupted", round(time.monotonic() - t, 2), ok, flush=True)
"""


def test_ctrl_c_stops_training():
    env = dict(os.environ, PYTHONPATH=str(ROOT / "python"))
    p = subprocess.Popen([sys.executable, "-c", CHILD], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                         preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        assert p.stdout.readline().strip() == "ready"
        time.sleep(0.5)
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=60)
    finally:
        p.kill()
    assert p.returncode == 0, err
    assert out.startswith("interrupted") and out.split()[-1] == "True", out + err


def test_diverging_fit_restores_the_parameters():
    """An absurd learning rate: a clear error naming the divergence, and the model as before."""
    pdf = gojammy.pdf("e2", "gggg", seed=1)
    x = pdf.sample(samplesize=300, seed=3)[0]
    before = pdf.get_parameters()
    with pytest.raises(gojammy.GojammyError, match="diverged.*restored"):
        pdf.fit(x, epochs=3, batch_size=100, learning_rate=1e200, progress=False, seed=0)
    np.testing.assert_array_equal(pdf.get_parameters(), before)
    assert np.isfinite(pdf(x)[0]).all()
    for bad in (float("inf"), float("nan")):
        with pytest.raises(ValueError, match="learning_rate"):
            pdf.fit(x, learning_rate=bad, progress=False)
        with pytest.raises(ValueError, match="clip_norm"):
            pdf.fit(x, clip_norm=bad, progress=False)
    with pytest.raises(ValueError, match="patience"):
        pdf.fit(x, patience=-1, progress=False)
