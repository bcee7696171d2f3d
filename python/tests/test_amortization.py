"""Conditioning keywords of gojammy.pdf with jammy_flows' names and defaults: a list
conditional_input_dim (None entries allowed), per-sub-manifold amortization_mlp_dims, and the
custom MLP (amortization_mlp_use_custom_mode, amortization_mlp_ranks, amortization_mlp_highway_mode).
Parameter counts are jammy_flows' (flowcore/testdata/upstream/counts/amortized.json)."""

import numpy as np
import pytest

import gojammy


@pytest.mark.parametrize(
    "defs, kwargs, count",
    [
        (("e2", "gg"), {"conditional_input_dim": 3}, 17282),
        (("e2+s2", "gg+f"), {"conditional_input_dim": [2, 3], "amortization_mlp_dims": ["64", "32-16"]}, 9532),
        (("e2", "gg"), {"conditional_input_dim": 3, "amortization_mlp_use_custom_mode": True, "amortization_mlp_ranks": 5,
                        "amortization_mlp_highway_mode": 2}, 2322),
        (("e2", "gg"), {"conditional_input_dim": 3, "amortization_mlp_use_custom_mode": True, "amortization_mlp_dims": "64-30",
                        "amortization_mlp_ranks": "2-10-1000"}, 5198),
        (("e2", "gg"), {"conditional_input_dim": 3, "amortization_mlp_use_custom_mode": True, "amortization_mlp_dims": "64-64",
                        "amortization_mlp_ranks": "0-3-0-3-1", "amortization_mlp_highway_mode": 4}, 10259),
        (("e1+s2+i1", "g+f+r"), {"conditional_input_dim": [2, 3, 0], "amortization_mlp_use_custom_mode": True,
                                 "amortization_mlp_dims": ["16", "64-30", ""], "amortization_mlp_ranks": [3, "2-10-1000", 0]}, 1784),
    ],
)
def test_counts_match_jammy_flows(defs, kwargs, count):
    p = gojammy.pdf(*defs, **kwargs)
    assert p.count_parameters() == count
    for name, value in kwargs.items():
        if name != "conditional_input_dim":
            assert getattr(p, name) == value


def test_defaults_and_attributes():
    p = gojammy.pdf("e2", "gg", conditional_input_dim=2)
    assert p.conditional_input_dim == 2
    assert (p.amortization_mlp_use_custom_mode, p.amortization_mlp_ranks, p.amortization_mlp_highway_mode) == (False, 0, 0)
    q = gojammy.pdf("e1+e1", "g+g", conditional_input_dim=[None, 2])
    assert q.conditional_input_dim == [None, 2]


def test_list_conditional_input(rng):
    p = gojammy.pdf("e1+s2", "g+f", conditional_input_dim=[2, None], amortization_mlp_dims=["8", "4"],
                    amortization_mlp_use_custom_mode=True, amortization_mlp_ranks=[1, "0-2-1"],
                    amortization_mlp_highway_mode=3)
    x, _, lp_sample, _ = p.sample(conditional_input=[rng.normal(size=(5, 2)), None])
    assert x.shape == (5, 3)
    c = rng.normal(size=(5, 2)) * 100
    lp = p(x, conditional_input=[c, None])[0]
    assert lp.shape == (5,) and np.all(np.isfinite(lp))
    # the same through the gradient call and fit (with per-sub-manifold validation inputs)
    lp2 = p.log_pdf_and_grad(x, conditional_input=(c, None))[0]
    np.testing.assert_array_equal(lp, lp2)
    p.fit(x, conditional_input=[c, None], epochs=1, batch_size=5, validation_data=(x, [c, None]), seed=1,
          progress=False)
    lp = p(x, conditional_input=[c, None])[0]
    # save/load keeps the settings and the numbers
    q = gojammy.from_bytes(p.to_bytes())
    assert q.conditional_input_dim == [2, None] and q.amortization_mlp_highway_mode == 3
    np.testing.assert_array_equal(q(x, conditional_input=[c, None])[0], lp)


def test_equal_widths_take_one_array(rng):
    p = gojammy.pdf("e1+e1", "g+g", conditional_input_dim=[2, 2], amortization_mlp_dims="8")
    c = rng.normal(size=(4, 2))
    x = rng.normal(size=(4, 2))
    np.testing.assert_array_equal(p(x, conditional_input=c)[0], p(x, conditional_input=[c, c])[0])


@pytest.mark.parametrize(
    "kwargs, word",
    [
        ({"conditional_input_dim": [2]}, "conditional_input_dim: a list needs one entry per sub-manifold \\(2\\), got 1"),
        ({"conditional_input_dim": [2, -1]}, "conditional_input_dim\\[1\\]"),
        ({"conditional_input_dim": [2, "a"]}, "conditional_input_dim\\[1\\]"),
        ({"amortization_mlp_dims": ["8"]}, "amortization_mlp_dims: a list needs one entry per sub-manifold"),
        ({"amortization_mlp_dims": ["8", 8]}, "amortization_mlp_dims\\[1\\]"),
        ({"amortization_mlp_use_custom_mode": True, "amortization_mlp_ranks": "2-x"}, "amortization_mlp_ranks"),
        ({"amortization_mlp_use_custom_mode": True, "amortization_mlp_ranks": "2-10-1000"}, "3 ranks for an MLP of 2 matrices"),
        ({"amortization_mlp_use_custom_mode": True, "amortization_mlp_ranks": [1]}, "amortization_mlp_ranks: a list needs one entry"),
        ({"amortization_mlp_highway_mode": 5}, "amortization_mlp_highway_mode must be 0, 1, 2, 3 or 4"),
        ({"amortization_mlp_highway_mode": 1.0}, "amortization_mlp_highway_mode"),
        ({"amortization_mlp_use_custom_mode": "yes"}, "amortization_mlp_use_custom_mode"),
    ],
)
def test_bad_settings_name_the_argument(kwargs, word):
    kwargs.setdefault("conditional_input_dim", [2, 1])
    with pytest.raises(ValueError, match=word):
        gojammy.pdf("e1+e1", "g+g", **kwargs)


def test_bad_conditional_inputs_name_the_argument(rng):
    p = gojammy.pdf("e1+e1", "g+g", conditional_input_dim=[2, None], amortization_mlp_dims="8")
    x = rng.normal(size=(3, 2))
    c = rng.normal(size=(3, 2))
    with pytest.raises(ValueError, match="conditional_input: a list needs one entry per sub-manifold \\(2\\), got 1"):
        p(x, conditional_input=[c])
    with pytest.raises(ValueError, match="conditional_input\\[1\\]: sub-manifold 1 has no conditional input"):
        p(x, conditional_input=[c, c])
    with pytest.raises(ValueError, match="conditional_input\\[0\\]"):
        p(x, conditional_input=[None, None])
    with pytest.raises(ValueError, match="one conditional input per sub-manifold"):
        p(x, conditional_input=c)
    with pytest.raises(ValueError, match="conditional_input\\[0\\]: has 2 rows"):
        p(x, conditional_input=[c[:2], None])
