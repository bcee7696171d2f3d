"""gojammy.from_state_dict on jammy_flows state dicts saved as numpy arrays (no torch needed).

The fixtures (flowcore/testdata/upstream/state_dicts, written by gen_state_dicts.py from
jammy_flows v1.1 and 02ed589) hold each model's perturbed state dict, points, conditional inputs
and upstream's log-densities there.
"""

import json
import pathlib
import subprocess
import sys

import numpy as np
import pytest

import gojammy
from gojammy import GojammyValueError
from gojammy._jammy import _LAYER_TENSORS

FIXTURES = pathlib.Path(__file__).resolve().parents[2] / "flowcore" / "testdata" / "upstream" / "state_dicts"
NAMES = sorted(p.stem for p in FIXTURES.glob("*.json"))

# log_pdf tolerance per fixture, relative as in flowcore/parity_test.go: |got - upstream| <=
# tol * max(1, |upstream|), tol 1e-10 unless listed here. With add_skewness, upstream evaluates
# log(1 - sigmoid(v)^a) by piecewise shortcuts (branches at v <= -20 and at a*softplus(v) above 20
# or below 1e-8) that err by up to e^-20 ~ 2e-9; gojammy computes it exactly (docs/differences.md).
TOLERANCE = {"e2_g_skew_center": 1e-9, "s2_c": 3e-5}  # s2_c: upstream's chart clamps (docs/differences.md, c)


def assert_close(got, want, tol):
    """|got - want| <= tol * max(1, |want|) everywhere."""
    diff = np.abs(got - want)
    assert np.all(diff <= tol * np.maximum(1.0, np.abs(want))), f"max |difference| {diff.max():.3g}"


def load_fixture(name):
    """(constructor arguments, state dict, x, conditional input, upstream log_pdf)."""
    meta = json.loads((FIXTURES / f"{name}.json").read_text())
    with np.load(FIXTURES / f"{name}.npz") as npz:
        state = {k[len("state/"):]: npz[k] for k in npz.files if k.startswith("state/")}
        conds = [npz[k] for k in sorted(k for k in npz.files if k.startswith("cond_"))]
        x, log_pdf = npz["x"], npz["log_pdf"]
    cond = conds if meta["list_conditional"] else (conds[0] if conds else None)
    return meta, state, x, cond, log_pdf


def import_fixture(name, source=None):
    """The fixture's model imported with from_state_dict (from ``source`` if given)."""
    meta, state, x, cond, log_pdf = load_fixture(name)
    args = dict(meta["args"])
    model = gojammy.from_state_dict(args.pop("pdf_defs"), args.pop("flow_defs"),
                                    state if source is None else source, **args)
    return model, x, cond, log_pdf


def test_enough_configurations():
    assert len(NAMES) >= 20
    letters = set("".join(json.loads((FIXTURES / f"{n}.json").read_text())["args"]["flow_defs"] for n in NAMES))
    assert set("gtxrzmofvyn") <= letters


@pytest.mark.parametrize("name", NAMES)
def test_state_dict_reproduces_upstream(name):
    model, x, cond, log_pdf = import_fixture(name)
    assert model.count_parameters() == json.loads((FIXTURES / f"{name}.json").read_text())["count"]
    got = model(x, conditional_input=cond)[0]
    assert_close(got, log_pdf, TOLERANCE.get(name, 1e-10))


@pytest.mark.parametrize("name", NAMES)
def test_probe_matches_tensor_order(name):
    """The generator's probe of init_params agrees with the importer's tensor order, and the only
    tensor that is not a plain copy of the init vector is the inner MLP of `n`."""
    meta = json.loads((FIXTURES / f"{name}.json").read_text())
    layers = {}
    for p in meta["probe"]:
        layers.setdefault((p["sub_manifold"], p["layer"], p["letter"]), []).append(p)
    for (k, j, letter), tensors in layers.items():
        copies = sorted((p for p in tensors if p["init_start"] is not None), key=lambda p: p["init_start"])
        order = [p["tensor"] for p in copies]
        assert order == [t for t in _LAYER_TENSORS[letter] if t in order], (k, j, letter)
        others = [p["tensor"] for p in tensors if p["init_start"] is None]
        assert others == (["amortized_mlp.u_v_b_pars"] if letter == "n" else []), (k, j, letter)


def test_npz_path_and_no_torch(tmp_path):
    """A path to an .npz file works, in a process where importing torch fails."""
    meta, state, x, cond, log_pdf = load_fixture("e2s2_gg_f")
    path = tmp_path / "state.npz"
    np.savez(path, **state)
    np.save(tmp_path / "x.npy", x)
    script = (
        "import sys; sys.modules['torch'] = None\n"
        "import numpy as np, gojammy\n"
        f"m = gojammy.from_state_dict('e2+s2', 'gg+f', {str(path)!r}, amortization_mlp_dims='32')\n"
        f"print(repr(m(np.load({str(tmp_path / 'x.npy')!r}))[0].tolist()))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True).stdout
    np.testing.assert_allclose(np.array(eval(out)), log_pdf, rtol=0, atol=1e-10)


def test_torch_file_without_torch_names_the_problem(tmp_path, monkeypatch):
    path = tmp_path / "model.pt"
    path.write_bytes(b"not read")
    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(ImportError, match="needs torch"):
        gojammy.from_state_dict("e1", "g", str(path))


def test_errors_name_the_unsupported_piece():
    _, state, _, _, _ = load_fixture("e1_g")
    with pytest.raises(GojammyValueError, match="log_normalization"):
        gojammy.from_state_dict("e1", "g", {**state, "log_normalization_mlp.0.weight": np.zeros((2, 2))})
    with pytest.raises(GojammyValueError, match="layer_list.0.0.datapoints"):
        gojammy.from_state_dict("e1", "g", {**state, "layer_list.0.0.datapoints": np.zeros(3)})
    with pytest.raises(GojammyValueError, match="layer_list.0.1.offsets"):
        gojammy.from_state_dict("e1", "g", {**state, "layer_list.0.1.offsets": np.zeros(1)})
    with pytest.raises(GojammyValueError, match="holds 31 parameters"):
        gojammy.from_state_dict("e1", "g", {k: v for k, v in state.items() if k != "layer_list.0.0.offsets"})
    with pytest.raises(GojammyValueError, match="non-finite"):
        gojammy.from_state_dict("e1", "g", {**state, "layer_list.0.0.offsets": np.array([np.nan])})
    with pytest.raises(GojammyValueError, match="layer_list.0.0.func.func.u_v_b_pars"):
        gojammy.from_state_dict("s2", "c", {"layer_list.0.0.func.func.u_v_b_pars": np.zeros((1, 259))})
    with pytest.raises(Exception, match="amortize_everything"):
        gojammy.from_state_dict("e1", "g", state, amortize_everything=True)
    with pytest.raises(ValueError, match="state_dict_or_path"):
        gojammy.from_state_dict("e1", "g", 3.0)
    with pytest.raises(FileNotFoundError, match="state_dict_or_path"):
        gojammy.from_state_dict("e1", "g", "/nonexistent/model.npz")
