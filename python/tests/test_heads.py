"""amortize_everything (amortization_parameters in __call__, sample and log_pdf_and_grad),
gojammy.fully_amortized_pdf and the Poisson head (log_mean_poisson, fit with poisson_counts),
with jammy_flows' names, counts and numbers (the fixtures of
flowcore/testdata/upstream/gen_amortized.py)."""

import json
import pathlib
import pickle

import numpy as np
import pytest

import gojammy

FIXTURES = pathlib.Path(__file__).resolve().parents[2] / "flowcore" / "testdata" / "upstream" / "amortized"


def _fixture(name):
    return json.loads((FIXTURES / f"{name}.json").read_text())


def _build(fx):
    kwargs = dict(fx["kwargs"])
    if "fully_amortized_pdf" in kwargs:
        return gojammy.fully_amortized_pdf(fx["pdf_defs"], fx["flow_defs"], **kwargs["fully_amortized_pdf"])
    return gojammy.pdf(fx["pdf_defs"], fx["flow_defs"], **kwargs)


@pytest.mark.parametrize("name", ["ae_e2s2", "ae_e1s2_c2", "fa_e2s2", "fa_e1s2_plain_x100", "poisson_e2", "poisson_e2_join_c3",
                                  "poisson_e1_sep_custom"])
def test_matches_jammy_flows(name):
    fx = _fixture(name)
    p = _build(fx)
    assert p.count_parameters() == fx["count"]
    if fx.get("params"):
        p.set_parameters(np.array(fx["params"]))
    cond = np.array(fx["cond"]) if fx["cond"] else None
    amort = np.array(fx["amortization"]) if "amortization" in fx else None
    if amort is not None:
        assert p.total_number_amortizable_params == fx["num_amortization"]
    lp, blp, base = p(np.array(fx["x"]), conditional_input=cond, amortization_parameters=amort) if amort is not None else \
        p(np.array(fx["x"]), conditional_input=cond)
    np.testing.assert_allclose(lp, fx["log_pdf"], rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(base, fx["base"], rtol=1e-9, atol=1e-9)
    if "log_mean_poisson" in fx:
        np.testing.assert_allclose(p.log_mean_poisson(cond).ravel(), fx["log_mean_poisson"], rtol=1e-10, atol=1e-12)


def test_fully_amortized_counts_and_attributes():
    p = gojammy.fully_amortized_pdf("e2+s2", "gg+f", conditional_input_dim=3)
    assert p.count_parameters() == 12096 and p.total_param_num == 12096
    assert p.pdf_to_amortize.total_number_amortizable_params == 1824
    assert (p.inner_mlp_highway_mode, p.amortization_mlp_ranks, p.amortization_mlp_use_custom_mode) == (1, 5, True)
    assert p.pdf_defs_list == ["e2", "s2"] and p.total_target_dim == 4
    c = np.random.default_rng(1).normal(size=(5, 3))
    x, base, lps, _ = p.sample(c, seed=3)
    assert x.shape == (5, 4) and base.shape == (5, 4)
    np.testing.assert_allclose(p(x, c)[0], lps, rtol=1e-9)
    q = pickle.loads(pickle.dumps(p))
    assert isinstance(q, gojammy.fully_amortized_pdf) and q.conditional_input_dim == 3
    np.testing.assert_array_equal(q(x, c)[0], p(x, c)[0])
    with pytest.raises(ValueError, match="conditional_input_dim"):
        gojammy.fully_amortized_pdf("e2", "gg", conditional_input_dim=[2])
    with pytest.raises(ValueError, match="conditional_input"):
        p(x)
    with pytest.raises(NotImplementedError, match="predict_log_normalization"):
        gojammy.fully_amortized_pdf("e2", "gg", conditional_input_dim=2, predict_log_normalization=True)


def test_amortize_everything_calls():
    p = gojammy.pdf("e1+s2", "g+f", amortize_everything=True, amortization_mlp_use_custom_mode=True, amortization_mlp_dims="8")
    assert p.count_parameters() == 0 and p.amortize_everything
    t = p.total_number_amortizable_params
    init = p.init_params(seed=1)
    assert init.shape == (t,)
    a = init + 0.05 * np.random.default_rng(2).normal(size=(4, t))
    x, _, lps, _ = p.sample(amortization_parameters=a, seed=5)
    assert x.shape == (4, 3)
    lp, gp, gx, ga = p.log_pdf_and_grad(x, amortization_parameters=a)
    np.testing.assert_allclose(lp, lps, rtol=1e-9)
    assert gp.shape == (0,) and gx.shape == (4, 3) and ga.shape == (4, t)
    # finite differences of sum(log_pdf) in a few amortization parameters
    h = 1e-6
    for j in (0, t // 2, t - 1):
        ap, am = a.copy(), a.copy()
        ap[1, j] += h
        am[1, j] -= h
        fd = (p(x, amortization_parameters=ap)[0].sum() - p(x, amortization_parameters=am)[0].sum()) / (2 * h)
        assert abs(ga[1, j] - fd) < 1e-5 * max(1, abs(fd))
    with pytest.raises(ValueError, match="amortization_parameters"):
        p(x)
    with pytest.raises(ValueError, match="amortization_parameters"):
        p(x, amortization_parameters=a[:, :-1])
    with pytest.raises(ValueError, match="amortization_parameters"):
        gojammy.pdf("e1", "g")(x[:, :1], amortization_parameters=a)
    with pytest.raises(gojammy.GojammyError, match="amortize_everything"):
        p.fit(x)
    with pytest.raises(gojammy.GojammyError, match="amortization_mlp_use_custom_mode"):
        gojammy.pdf("e1", "g", amortize_everything=True)


def test_poisson_head_and_fit(rng):
    # seeded initializations: the fits below are short, and an unseeded start makes them flaky
    p = gojammy.pdf("e1", "g", predict_log_normalization=True, seed=1)
    assert p.predict_log_normalization and p.log_mean_poisson().shape == (1, 1)
    p.fit(rng.normal(size=(300, 1)), epochs=200, batch_size=100, learning_rate=0.05, progress=False, seed=1)
    assert abs(p.log_mean_poisson()[0, 0] - np.log(300)) < 0.05
    q = gojammy.pdf("e1", "g", conditional_input_dim=1, amortization_mlp_dims="8", predict_log_normalization=True,
                    join_poisson_and_pdf_description=True, seed=3)
    assert q.count_parameters() == gojammy.pdf("e1", "g", conditional_input_dim=1, amortization_mlp_dims="8").count_parameters() + 9
    c = np.repeat([[0.0], [1.0]], [50, 150], axis=0)
    x = rng.normal(size=(200, 1)) + c
    counts = np.repeat([50.0, 150.0], [50, 150])
    with pytest.raises(gojammy.GojammyError, match="poisson_counts"):
        q.fit(x, c, epochs=1, progress=False)
    q.fit(x, c, epochs=400, batch_size=100, learning_rate=0.05, progress=False, seed=2, poisson_counts=counts)
    np.testing.assert_allclose(q.log_mean_poisson(np.array([[0.0], [1.0]])).ravel(), np.log([50, 150]), atol=0.1)
    with pytest.raises(ValueError, match="log_mean_poisson"):
        gojammy.pdf("e1", "g").log_mean_poisson()
    with pytest.raises(ValueError, match="poisson_counts"):
        gojammy.pdf("e1", "g").fit(x, poisson_counts=counts, progress=False)
    with pytest.raises(gojammy.GojammyError, match="predict_log_normalization"):
        gojammy.pdf("e1+e1", "g+g", predict_log_normalization=True)
