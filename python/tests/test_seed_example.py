"""The seed example of jammy_flows runs as written, and examples/quickstart.py runs it."""

import importlib.util
import pathlib

import numpy as np

import gojammy

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_seed_example_as_written():
    pdf = gojammy.pdf("e4+s2+e4", "gggg+n+gggg")
    samples, base, log_pdf, base_log_pdf = pdf.sample(nsamples=1000)

    assert pdf.count_parameters() == 238153  # jammy_flows at 02ed589
    assert samples.shape == (1000, 10) and base.shape == (1000, 10)
    assert log_pdf.shape == (1000,) and base_log_pdf.shape == (1000,)
    for a in (samples, base, log_pdf, base_log_pdf):
        assert a.dtype == np.float64 and np.all(np.isfinite(a))
    theta, phi = samples[:, 4], samples[:, 5]
    assert np.all((theta >= 0) & (theta <= np.pi)) and np.all((phi >= 0) & (phi < 2 * np.pi))

    again, again_base_log_pdf, again_base = pdf(samples)
    np.testing.assert_allclose(again, log_pdf, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(again_base, base, rtol=0, atol=1e-8)
    np.testing.assert_allclose(again_base_log_pdf, base_log_pdf, rtol=1e-9, atol=1e-9)

    emb, _, emb_log_pdf, _ = pdf.sample(nsamples=1000, force_embedding_coordinates=True)
    assert emb.shape == (1000, 11)
    np.testing.assert_allclose(np.linalg.norm(emb[:, 4:7], axis=1), 1.0, atol=1e-12)


def test_quickstart_runs_the_seed_example():
    spec = importlib.util.spec_from_file_location("quickstart", ROOT / "examples" / "quickstart.py")
    quickstart = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(quickstart)
    assert quickstart.MODEL == ("e4+s2+e4", "gggg+n+gggg")
    pdf, samples, base, log_pdf, _ = quickstart.seed_example()
    assert samples.shape == (1000, 10) and np.all(np.isfinite(log_pdf))
