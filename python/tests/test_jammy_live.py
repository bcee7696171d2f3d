"""gojammy.from_jammy_flows and gojammy.to_jammy_flows on live jammy_flows models.

Runs only where torch and jammy_flows are importable (skipped otherwise), e.g.

    PYTHONPATH=python:/tmp/jf    python -m pytest python/tests/test_jammy_live.py   # v1.1
    PYTHONPATH=python:/tmp/jf_02 python -m pytest python/tests/test_jammy_live.py   # 02ed589 (layer n)

The configurations and the weight perturbation are those of the fixture generator
flowcore/testdata/upstream/gen_state_dicts.py (the set matching the jammy_flows found).
"""

import importlib.util
import pathlib

import numpy as np
import pytest

import gojammy
from gojammy import GojammyValueError

torch = pytest.importorskip("torch")
jammy_flows = pytest.importorskip("jammy_flows")

from test_jammy_import import TOLERANCE, assert_close  # noqa: E402 - after the skips

GENERATOR = (pathlib.Path(__file__).resolve().parents[2] / "flowcore" / "testdata" / "upstream"
             / "gen_state_dicts.py")
_spec = importlib.util.spec_from_file_location("gen_state_dicts", GENERATOR)
gen = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gen)

# jammy_flows before 7aa1a0e has the layer n (the 02ed589 configurations), later versions do not.
TAG = "02" if "n" in jammy_flows.flow_options.opts_dict else "head"
CONFIGS = gen.CONFIGS[TAG]


def perturbed_model(name, seed=7):
    """A jammy_flows pdf of the named configuration with all weights perturbed, points x where it
    is well conditioned, the conditional inputs there and upstream's log_pdf."""
    args = CONFIGS[name]
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    model = jammy_flows.pdf(**args)
    model.double()
    gen.perturb(model, rng)
    cond = gen.conditional_inputs(args, rng)
    with torch.no_grad():
        x = model.sample(conditional_input=cond, samplesize=gen.NUM_POINTS, seed=seed)[0]
        log_pdf = model(x, conditional_input=cond)[0]
        keep = torch.from_numpy(gen.well_conditioned(model, x, cond, log_pdf, rng))
    cond = None if cond is None else [c[keep] for c in cond] if isinstance(cond, list) else cond[keep]
    return model, x[keep], cond, log_pdf[keep].numpy()


def numpy_cond(cond):
    """The conditional input(s) as numpy arrays for gojammy."""
    if cond is None:
        return None
    return [c.numpy() for c in cond] if isinstance(cond, list) else cond.numpy()


@pytest.mark.parametrize("name", list(CONFIGS))
def test_live_model_and_round_trip(name):
    model, x, cond, log_pdf = perturbed_model(name)
    imported = gojammy.from_jammy_flows(model)
    got = imported(x.numpy(), conditional_input=numpy_cond(cond))[0]
    assert_close(got, log_pdf, TOLERANCE.get(name, 1e-10))

    exported = gojammy.to_jammy_flows(imported)
    with torch.no_grad():
        again = exported(x, conditional_input=cond)[0].numpy()
    np.testing.assert_array_equal(again, log_pdf)
    back = gojammy.from_jammy_flows(exported)
    np.testing.assert_array_equal(back.get_parameters(), imported.get_parameters())
    np.testing.assert_array_equal(back(x.numpy(), conditional_input=numpy_cond(cond))[0], got)


def test_state_dict_object_and_torch_file(tmp_path):
    name = "s2_n" if TAG == "02" else "e2s2_gg_f"
    model, x, cond, log_pdf = perturbed_model(name)
    path = tmp_path / "model.pt"
    torch.save(model.state_dict(), path)
    args = dict(CONFIGS[name])
    pdf_defs, flow_defs = args.pop("pdf_defs"), args.pop("flow_defs")
    for source in (model, model.state_dict(), str(path)):
        imported = gojammy.from_state_dict(pdf_defs, flow_defs, source, **args)
        assert_close(imported(x.numpy(), conditional_input=numpy_cond(cond))[0], log_pdf, TOLERANCE.get(name, 1e-10))


def test_unsupported_pieces_are_named():
    with pytest.raises(ValueError, match="torch_pdf"):
        gojammy.from_jammy_flows(torch.nn.Linear(2, 2))
    with pytest.raises(Exception, match="predict_log_normalization"):
        gojammy.from_jammy_flows(jammy_flows.pdf("e1", "g", conditional_input_dim=2, predict_log_normalization=True))
    if TAG == "head":
        with pytest.raises(Exception, match='layer "c"'):
            gojammy.from_jammy_flows(jammy_flows.pdf("s2", "c"))
    with pytest.raises(GojammyValueError, match="conditional_input_dim"):
        gojammy.to_jammy_flows(gojammy.pdf("e1+e1", "g+g", conditional_input_dim=[None, 2]))


MANIFOLD = {"g": "e2", "t": "e3", "x": "e2", "r": "i1", "z": "i1", "m": "s1", "o": "s1", "f": "s2", "v": "s2", "y": "s2",
            "n": "s2"}


# Option values where upstream's own arithmetic is the limit (gojammy is exact; docs/differences.md).
VARIANT_TOLERANCE = {
    # kappa ~ min_kappa = 1e-10: upstream takes log(exp(2 kappa) - 1) directly (8 digits lost),
    # gojammy uses expm1.
    ("f", "kappa_prediction", "log_bounded"): 1e-7,
    # evaluation inverts the exponential map: upstream stops its Newton iterations at a fixed
    # tolerance, gojammy solves to full precision.
    ("v", "natural_direction", 1): 1e-8,
}


def option_variants():
    """(letter, option, value) for every listed non-default value of every discrete option of the
    layers gojammy mirrors, as jammy_flows' option table declares them."""
    table = jammy_flows.flow_options.opts_dict
    out = []
    for letter in MANIFOLD:
        if (letter == "n") != (TAG == "02"):  # gojammy mirrors n at 02ed589, the others at v1.1
            continue
        for option, (default, allowed) in table[letter]["kwargs"].items():
            if isinstance(allowed, list):
                out.extend((letter, option, v) for v in allowed if v != default)
    return out


def probe_layer(layer):
    """{tensor name: init-vector start or None} after init_params(1000 + arange(n)) on a copy."""
    n = int(layer.get_total_param_num())
    trial = gen.copy.deepcopy(layer)
    trial.init_params(1000.0 + torch.arange(n, dtype=torch.float64))
    out = {}
    for name, t in list(trial.named_parameters()) + list(trial.named_buffers()):
        idx = t.detach().reshape(-1).double().numpy() - 1000.0
        out[name] = int(idx[0]) if np.array_equal(idx, idx[0] + np.arange(idx.size)) else None
    return out


@pytest.mark.parametrize("letter,option,value", option_variants())
def test_every_option_value(letter, option, value):
    """Each option value alone: the layer's init vector is a plain copy into its tensors in the
    importer's order (except the inner MLP of n), and the import equals upstream or raises an
    error naming the option."""
    from gojammy._jammy import _LAYER_TENSORS

    args = dict(pdf_defs=MANIFOLD[letter], flow_defs=letter, options_overwrite={letter: {option: value}})
    torch.manual_seed(3)
    try:
        model = jammy_flows.pdf(**args)
        model.double()
        with torch.no_grad():
            x = model.sample(samplesize=5, seed=3)[0]
            model(x)
    except Exception as e:  # upstream rejects or cannot evaluate this value (docs/differences.md)
        pytest.skip(f"jammy_flows fails: {e!r}"[:200])
    layer = model.layer_list[0][0]
    if layer.get_total_param_num() > 0:
        starts = probe_layer(layer)
        copies = sorted((s, name) for name, s in starts.items() if s is not None)
        assert [name for _, name in copies] == [t for t in _LAYER_TENSORS[letter] if starts.get(t) is not None]
        assert [name for name, s in starts.items() if s is None] == (
            ["amortized_mlp.u_v_b_pars"] if letter == "n" else [])
    gen.perturb(model, np.random.default_rng(3))
    with torch.no_grad():
        x = model.sample(samplesize=20, seed=4)[0]
        log_pdf = model(x)[0].numpy()
    try:
        imported = gojammy.from_jammy_flows(model)
    except (GojammyValueError, ValueError) as e:
        assert option in str(e) or str(value) in str(e), str(e)
        return
    got = imported(x.numpy())[0]
    finite = np.isfinite(log_pdf)
    assert_close(got[finite], log_pdf[finite], VARIANT_TOLERANCE.get((letter, option, value), 1e-10))
