"""The library returns exactly (bit for bit) what flowcore computes in Go for the same model file.

The Go side is python/tests/goeval, a small program that loads the model with flowcore.LoadFile
and evaluates it without the C boundary. Skipped when the Go toolchain is not available."""

import os
import shutil
import subprocess

import numpy as np
import pytest

from conftest import ROOT
from models import UNCONDITIONAL, make, model_id, points


@pytest.fixture(scope="module")
def goeval(tmp_path_factory):
    go = os.environ.get("GO") or shutil.which("go")
    if not go:
        pytest.skip("the Go toolchain is not installed")
    exe = tmp_path_factory.mktemp("goeval") / "goeval"
    subprocess.run([go, "build", "-o", str(exe), "./python/tests/goeval"], cwd=ROOT, check=True)
    return str(exe)


STALE = "differs from flowcore: is the library older than the Go sources? (rebuild: make venv, or pip install -e .)"


def run(goeval, tmp_path, *args):
    out = tmp_path / "out.f64"
    subprocess.run([goeval, *map(str, args), str(out)], check=True)
    return np.fromfile(out, dtype="<f8")


@pytest.mark.parametrize("m", UNCONDITIONAL, ids=model_id)
def test_density_gradient_and_samples_match_go(m, goeval, tmp_path, rng):
    pdf = make(m)
    model = tmp_path / "model.safetensors"
    pdf.save(model)
    x = points(pdf, 777, rng)
    x[5, 0] = np.nan
    xfile = tmp_path / "x.f64"
    x.astype("<f8").tofile(xfile)
    n, d, b, p = len(x), pdf.total_target_dim, pdf.total_base_dim, pdf.count_parameters()

    ref = run(goeval, tmp_path, "density", model, xfile, n, 0)
    ours = np.concatenate([a.ravel() for a in pdf(x)])
    assert ref.size == n * (2 + b)
    assert np.array_equal(ours, ref, equal_nan=True), "log-density " + STALE

    ref = run(goeval, tmp_path, "grad", model, xfile, n, 0)
    ours = np.concatenate([a.ravel() for a in pdf.log_pdf_and_grad(x)])
    assert ref.size == n + p + n * d
    assert np.array_equal(ours, ref, equal_nan=True), "gradient " + STALE

    ref = run(goeval, tmp_path, "sample", model, 333, 99, 0)
    ours = np.concatenate([a.ravel() for a in pdf.sample(samplesize=333, seed=99)])
    assert np.array_equal(ours, ref, equal_nan=True), "sampling " + STALE
