"""Constructor arguments, attributes, option conversion and definition errors."""

import json

import numpy as np
import pytest

import gojammy
from gojammy._options import options_to_json
from models import ALL, UNCONDITIONAL, model_id


@pytest.mark.parametrize("m", ALL, ids=model_id)
def test_attributes(m):
    pdf = gojammy.pdf(m[0], m[1], **m[2])
    assert pdf.pdf_defs_list == m[0].split("+")
    assert pdf.flow_defs_list == m[1].split("+")
    assert pdf.conditional_input_dim == m[2].get("conditional_input_dim")
    dims = {"e2": 2, "i1_-1.0_2.0": 1}
    assert pdf.total_target_dim == sum(dims[p] for p in pdf.pdf_defs_list)
    assert pdf.total_target_dim_intrinsic == pdf.total_target_dim_embedded == pdf.total_target_dim
    assert pdf.total_base_dim == pdf.total_target_dim
    assert len(pdf.num_parameter_list) == len(pdf.flow_defs_list)
    assert [len(c) for c in pdf.num_parameter_list] == [len(f) for f in pdf.flow_defs_list]
    n = pdf.count_parameters()
    assert isinstance(n, int) and n > 0
    assert pdf.get_parameters().shape == (n,)
    assert repr(pdf).startswith(f"gojammy.pdf({m[0]!r}, {m[1]!r}")
    d = pdf.describe()
    assert d["pdf_defs"] == m[0] and d["num_params"] == n


def test_count_parameters_like_upstream():
    # jammy_flows: "e1" "g" has 32 parameters, "e3" "gggg" 399, "e2" "gg" conditional on 3: 17282.
    assert gojammy.pdf("e1", "g").count_parameters() == 32
    assert gojammy.pdf("e3", "gggg").count_parameters() == 399
    assert gojammy.pdf("e2", "gg", conditional_input_dim=3).count_parameters() == 17282


def test_count_parameters_verbose(capsys):
    pdf = gojammy.pdf("e2+i1_-1.0_2.0", "gg+r")
    assert pdf.count_parameters(verbose=True) == pdf.count_parameters()
    assert "total trainable parameters" in capsys.readouterr().out


def test_initial_parameters_follow_the_seed():
    """The constructor draws like init_params: seed= reproduces a model exactly, seed=None draws
    from numpy's global generator (models differ; np.random.seed makes them reproducible)."""
    a, b = gojammy.pdf("e2", "gg", seed=7), gojammy.pdf("e2", "gg", seed=7)
    assert np.array_equal(a.get_parameters(), b.get_parameters())
    a.init_params(seed=7)
    assert np.array_equal(a.get_parameters(), b.get_parameters())
    c, d = gojammy.pdf("e2", "gg"), gojammy.pdf("e2", "gg")
    assert not np.array_equal(c.get_parameters(), d.get_parameters())
    np.random.seed(3)
    e = gojammy.pdf("e2", "gg")
    np.random.seed(3)
    f = gojammy.pdf("e2", "gg")
    assert np.array_equal(e.get_parameters(), f.get_parameters())
    with pytest.raises(ValueError, match="seed"):
        gojammy.pdf("e2", "gg", seed=-1)


def test_upstream_kwargs_at_defaults_are_accepted():
    pdf = gojammy.pdf(
        "e2", "gg", options_overwrite={}, conditional_input_dim=None, amortization_mlp_dims="128",
        predict_log_normalization=False, join_poisson_and_pdf_description=False, hidden_mlp_dims_poisson="128",
        rank_of_mlp_mappings_poisson=0, amortization_mlp_use_custom_mode=False, amortization_mlp_ranks=0,
        amortization_mlp_highway_mode=0, amortize_everything=False, use_as_passthrough_instead_of_pdf=False,
        skip_mlp_initialization=False, verbose=False,
    )
    assert pdf.count_parameters() > 0


@pytest.mark.parametrize(
    "kwargs",
    [
        {"use_as_passthrough_instead_of_pdf": True},
        {"skip_mlp_initialization": True},
    ],
)
def test_unsupported_upstream_kwargs(kwargs):
    with pytest.raises(NotImplementedError, match=next(iter(kwargs))):
        gojammy.pdf("e2", "gg", **kwargs)


def test_unknown_kwarg():
    with pytest.raises(TypeError, match="no_such_argument"):
        gojammy.pdf("e2", "gg", no_such_argument=1)


def test_mlp_dims_list_of_equal_strings():
    a = gojammy.pdf("e2+e1", "gg+g", amortization_mlp_dims=["16", "16"])
    b = gojammy.pdf("e2+e1", "gg+g", amortization_mlp_dims="16")
    assert a.count_parameters() == b.count_parameters()


@pytest.mark.parametrize(
    "args, kwargs, word",
    [
        (("e2", "gq"), {}, "q"),  # unknown letter
        (("e2", "r"), {}, "r"),  # letter of another manifold
        (("e2+e1", "gg"), {}, "flow_defs"),  # part counts differ
        (("k2", "gg"), {}, "pdf_defs"),  # unknown manifold
        (("e2", "gg"), {"options_overwrite": {"g": {"num_kde": 0}}}, "num_kde"),
        (("e2", "gg"), {"options_overwrite": {"g": {"no_such_option": 1}}}, "no_such_option"),
        (("e2", "gg"), {"options_overwrite": {5: {"g": {"num_kde": 3}}}}, "5"),
        (("e2", "gg"), {"amortization_mlp_dims": "12-x", "conditional_input_dim": 2}, "amortization_mlp_dims"),
        (("", "gg"), {}, "pdf_defs"),
        ((3, "gg"), {}, "pdf_defs"),
        (("e2", "gg"), {"conditional_input_dim": -1}, "conditional_input_dim"),
        (("e2", "gg"), {"options_overwrite": [1]}, "options_overwrite"),
        (("e2", "gg"), {"options_overwrite": {1.5: {}}}, "options_overwrite"),
    ],
)
def test_definition_errors(args, kwargs, word):
    with pytest.raises(ValueError, match=word) as info:
        gojammy.pdf(*args, **kwargs)
    assert str(info.value)


def test_definition_errors_are_gojammy_errors():
    with pytest.raises(gojammy.GojammyError) as info:
        gojammy.pdf("e2", "gq")
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, gojammy.GojammyValueError)


def test_options_json_keys():
    text = options_to_json({"g": {"num_kde": 3, "fit_normalization": True}, 1: {"g": {"num_kde": 4}}, (0, 1): {"g": {"num_kde": 5}}})
    assert json.loads(text) == {"g": {"num_kde": 3, "fit_normalization": True}, "1": {"g": {"num_kde": 4}}, "0,1": {"g": {"num_kde": 5}}}
    assert "true" in text
    assert json.loads(options_to_json({"g": {"num_kde": np.int64(3), "x": np.float64(0.5)}})) == {"g": {"num_kde": 3, "x": 0.5}}
    assert options_to_json(None) == "{}"
    with pytest.raises(ValueError, match="NaN"):
        options_to_json({"g": {"a": float("nan")}})
    with pytest.raises(ValueError, match="options_overwrite"):
        options_to_json({"g": {"a": [1, 2]}})


def test_options_precedence_like_upstream():
    # upstream: {(0,1):{"g":{"num_kde":3}}, 1:{"g":{"num_kde":4}}, "g":{"num_kde":5}} on "e1+e1","ggg+gg"
    # resolves num_kde to [[5,3,5],[4,4]] (the most specific key wins).
    opts = {(0, 1): {"g": {"num_kde": 3}}, 1: {"g": {"num_kde": 4}}, "g": {"num_kde": 5}}
    pdf = gojammy.pdf("e1+e1", "ggg+gg", options_overwrite=opts)
    per_layer = {(i, j): {"g": {"num_kde": k}} for i, row in enumerate([[5, 3, 5], [4, 4]]) for j, k in enumerate(row)}
    explicit = gojammy.pdf("e1+e1", "ggg+gg", options_overwrite=per_layer)
    assert pdf.num_parameter_list == explicit.num_parameter_list
    assert pdf.num_parameter_list[0][1] < pdf.num_parameter_list[0][0]
    assert pdf.num_parameter_list != gojammy.pdf("e1+e1", "ggg+gg").num_parameter_list
    assert pdf.options_overwrite == opts


@pytest.mark.parametrize("m", UNCONDITIONAL[:1], ids=model_id)
def test_verbose_prints_description(m, capsys):
    gojammy.pdf(m[0], m[1], verbose=True)
    assert m[1] in capsys.readouterr().out


def test_target_dim_attributes_equal_upstream():
    """upstream's per-sub-manifold widths and column ranges (values measured from jammy_flows
    cd400da for the same definition), following the embedding flags; fully_amortized_pdf too."""
    pdf = gojammy.pdf("e2+s2+i1_-1.0_2.0", "gg+f+r", seed=1)
    assert pdf.target_dims_intrinsic == [2, 2, 1] and pdf.target_dims_embedded == [2, 3, 1]
    assert pdf.target_dim_indices_intrinsic == [(0, 2), (2, 4), (4, 5)]
    assert pdf.target_dim_indices_embedded == [(0, 2), (2, 5), (5, 6)]
    assert pdf.target_dim_indices == [(0, 2), (2, 4), (4, 5)]
    pdf.set_embedding_flags(True, sub_pdf_index=1)
    assert pdf.target_dim_indices == [(0, 2), (2, 5), (5, 6)] and pdf.target_dims == [2, 3, 1]
    outer = gojammy.fully_amortized_pdf("e2+s2", "gg+f", conditional_input_dim=3)
    assert outer.target_dim_indices_embedded == [(0, 2), (2, 5)]
