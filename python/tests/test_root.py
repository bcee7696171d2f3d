"""gojammy inside real ROOT (pip's ROOT 6.40, run by `make test-root`): the macros of
examples/root load the library and the C++ wrapper in cling, sample a saved model into a TTree
(the same samples as Python's), add a log_pdf column to a tree with RDataFrame (the same numbers
as Python's), and use a trained flow as the signal shape of an extended RooFit fit."""

import ctypes
import pathlib

import numpy as np
import pytest

ROOT = pytest.importorskip("ROOT")
import gojammy  # noqa: E402
from gojammy import _lib  # noqa: E402

REPO = pathlib.Path(__file__).resolve().parents[2]
MACROS = REPO / "examples" / "root"


@pytest.fixture(scope="module", autouse=True)
def cling():
    """Load the library gojammy itself loaded and make the headers and macros visible to cling."""
    ROOT.gROOT.SetBatch(True)
    assert ROOT.gSystem.Load(_lib.loaded_path()) >= 0
    ROOT.gInterpreter.AddIncludePath(str(REPO / "include"))
    ROOT.gInterpreter.AddIncludePath(str(MACROS))
    for macro in ("gojammy_sample.C", "gojammy_rdataframe.C", "gojammy_roofit.C"):
        assert ROOT.gInterpreter.Declare(f'#include "{MACROS / macro}"'), macro


def tree_columns(path, tree, names):
    df = ROOT.RDataFrame(tree, str(path))
    cols = df.AsNumpy(names)
    return [np.asarray(cols[n]) for n in names]


def test_sample_macro_writes_the_samples_of_python(tmp_path):
    pdf = gojammy.pdf("e2+s2", "gg+f", seed=3)
    model, out = tmp_path / "model.safetensors", tmp_path / "samples.root"
    pdf.save(str(model))
    ROOT.gojammy_sample(str(model), str(out), 2000, 5)
    x0, x1, x2, x3, log_pdf = tree_columns(out, "samples", ["x0", "x1", "x2", "x3", "log_pdf"])
    samples, _, ref_log_pdf, _ = pdf.sample(samplesize=2000, seed=5)
    np.testing.assert_array_equal(np.column_stack([x0, x1, x2, x3]), samples)
    np.testing.assert_allclose(log_pdf, ref_log_pdf, rtol=1e-9, atol=1e-12)


def test_rdataframe_adds_log_pdf(tmp_path):
    pdf = gojammy.pdf("e2", "gggg", seed=4)
    model, events, out = tmp_path / "m.safetensors", tmp_path / "events.root", tmp_path / "out.root"
    pdf.save(str(model))
    x = np.random.default_rng(1).normal(size=(5000, 2))
    ROOT.RDF.FromNumpy({"x0": x[:, 0].copy(), "x1": x[:, 1].copy()}).Snapshot("events", str(events))
    ROOT.gojammy_rdataframe(str(model), str(events), "events", "x0,x1", str(out))
    x0, x1, log_pdf = tree_columns(out, "events", ["x0", "x1", "log_pdf"])
    np.testing.assert_array_equal(np.column_stack([x0, x1]), x)
    np.testing.assert_array_equal(log_pdf, pdf(x)[0])


def test_roofit_extended_fit_with_a_trained_flow_as_signal(tmp_path):
    rng = np.random.default_rng(2)
    # a two-peak signal shape, learned by a 1-d flow
    data = np.concatenate([rng.normal(-1.2, 0.35, 6000), rng.normal(1.0, 0.5, 4000)])[:, None]
    flow = gojammy.pdf("e1", "gggg", seed=5)
    flow.fit(data, epochs=15, batch_size=500, learning_rate=2e-2, progress=False, seed=1)
    model = tmp_path / "signal.safetensors"
    flow.save(str(model))
    result = (ctypes.c_double * 3)()
    ROOT.gojammy_roofit(str(model), 2000, 3000, 7, -4.0, 4.0, result)
    nsig, err, status = result
    assert status == 0
    assert 0 < err < 150
    assert abs(nsig - 2000) < 3 * err, (nsig, err)
