"""Models saved from Python load, evaluate and sample in the C and C++ examples (examples/c,
examples/cpp, built by `make test-c` into build/). Skipped when they are not built."""

import subprocess

import numpy as np
import pytest

import gojammy
from conftest import ROOT
from models import ALL, make, model_id, points

PROGRAMS = [ROOT / "build" / "eval_model_c", ROOT / "build" / "eval_model_cpp"]


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.name)
@pytest.mark.parametrize("m", ALL, ids=model_id)
def test_python_model_in_c_and_cpp(program, m, tmp_path, rng):
    if not program.exists():
        pytest.skip(f"{program.name} is not built (make c-examples)")
    pdf = make(m)
    if not pdf.conditional_input_dim:
        pdf.fit(points(pdf, 500, rng), epochs=1, batch_size=100, seed=0, progress=False)
    path = tmp_path / "model.safetensors"
    pdf.save(path)
    r = subprocess.run([str(program), str(path)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    assert np.array_equal(gojammy.load(path).get_parameters(), pdf.get_parameters())
