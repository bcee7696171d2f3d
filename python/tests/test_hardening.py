"""Issue 11 (hardening): absurd sizes, out-of-range ints, NUL bytes, crafted model files and the
memory budget give clear errors naming the argument, never an abort or a silent truncation."""

import json
import struct

import numpy as np
import pytest

import gojammy


@pytest.mark.parametrize(
    "kwargs, needle",
    [
        ({"pdf_defs": "e100000"}, "limit of 4096"),
        ({"options_overwrite": {"g": {"num_kde": 10**12}}}, "num_kde"),
        ({"options_overwrite": {"g": {"num_householder_iter": 10**9}}}, "num_householder_iter"),
        ({"conditional_input_dim": 10**9}, "conditional_input_dim"),
        ({"conditional_input_dim": 2**32 + 2}, "conditional_input_dim"),  # not truncated to 2
        ({"conditional_input_dim": 2, "amortization_mlp_dims": "1000000000"}, "amortization_mlp_dims"),
        ({"amortization_mlp_highway_mode": 2**32 + 1}, "amortization_mlp_highway_mode"),
        ({"options_overwrite": {"G": {"num_kde": 3}}}, 'key "G" is not a layer letter'),
        ({"pdf_defs": "i1_-inf_inf", "flow_defs": "r"}, "finite"),
        ({"flow_defs": "g" * 500}, "limit of 64"),
        ({"pdf_defs": "e2\0+e1"}, "pdf_defs: contains a NUL byte"),
        ({"flow_defs": "g\0g"}, "flow_defs: contains a NUL byte"),
    ],
)
def test_bad_definitions_name_the_argument(kwargs, needle):
    args = {"pdf_defs": "e2", "flow_defs": "gg", **kwargs}
    with pytest.raises(ValueError, match=None) as err:
        gojammy.pdf(args.pop("pdf_defs"), args.pop("flow_defs"), **args)
    assert needle in str(err.value), str(err.value)


def test_sizes_and_ints_out_of_range():
    pdf = gojammy.pdf("e2", "gg", seed=1)
    for n in (2**62, 2**64):
        with pytest.raises(ValueError, match="samplesize"):
            pdf.sample(samplesize=n)
    with pytest.raises(ValueError, match="epochs"):
        pdf.fit(np.zeros((10, 2)), epochs=2**40)
    with pytest.raises(ValueError, match="batch_size"):
        pdf.fit(np.zeros((10, 2)), batch_size=2**64)
    with pytest.raises(ValueError, match="n: expected an int in"):
        gojammy.set_threads(2**32 + 1)  # not 1


def test_memory_budget():
    default = gojammy.memory_budget()
    assert default >= 2**30
    pdf = gojammy.pdf("e2", "gg", seed=1)
    try:
        gojammy.set_memory_budget(2**20)
        assert gojammy.memory_budget() == 2**20
        pdf.sample(samplesize=1000)
        with pytest.raises(ValueError, match="memory budget"):
            pdf.sample(samplesize=10**6)
        with pytest.raises(ValueError, match="above the memory budget"):
            gojammy.pdf("e2000", "g")
    finally:
        gojammy.set_memory_budget(0)
    assert gojammy.memory_budget() == default
    for bad in (1000, -1, 2**63, 1.5, True):
        with pytest.raises(ValueError, match="nbytes"):
            gojammy.set_memory_budget(bad)


def test_nul_in_paths(tmp_path):
    pdf = gojammy.pdf("e2", "gg", seed=1)
    with pytest.raises(ValueError, match="NUL"):
        pdf.save(str(tmp_path / "a\0b"))
    with pytest.raises(ValueError, match="NUL"):
        gojammy.load(str(tmp_path / "a\0b"))
    assert list(tmp_path.iterdir()) == []


def _file(meta, count, data):
    header = json.dumps(
        {"__metadata__": meta, "params": {"dtype": "F64", "shape": [count], "data_offsets": [0, 8 * count]}},
        separators=(",", ":"),
    ).encode()
    return struct.pack("<Q", len(header)) + header + data


def test_crafted_model_files_are_refused(tmp_path):
    pdf = gojammy.pdf("e1", "g", seed=1)
    good = tmp_path / "good.safetensors"
    pdf.save(good)
    raw = good.read_bytes()
    n = struct.unpack("<Q", raw[:8])[0]
    meta = json.loads(raw[8 : 8 + n])["__metadata__"]
    empty_sha = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    old = {k: v for k, v in meta.items() if k != "sha256"} | {"format_version": "1", "params_sha256": empty_sha}
    cases = {
        "e100000.safetensors": (_file(old | {"pdf_defs": "e100000"}, 0, b""), "limit of 4096"),
        "huge.safetensors": (_file(old, 10**11, b"\0" * 16), "bytes after the header"),
        "trailing.safetensors": (raw + b"\0", "bytes after the header"),
        "flipped.safetensors": (raw[:-1] + bytes([raw[-1] ^ 1]), "checksum"),
    }
    for name, (content, needle) in cases.items():
        path = tmp_path / name
        path.write_bytes(content)
        with pytest.raises(gojammy.GojammyError) as err:
            gojammy.load(path)
        assert needle in str(err.value), (name, str(err.value))
    assert len(cases["e100000.safetensors"][0]) < 450


def test_huge_finite_points_give_minus_inf():
    pdf = gojammy.pdf("e2", "gg", seed=1)
    x = np.array([[1e154, 0.0], [5e153, 1.0], [np.nan, 0.0], [0.1, 0.2], [-1e300, 3.0]])
    lp = pdf(x)[0]
    assert np.isneginf(lp[[0, 1, 4]]).all() and np.isnan(lp[2]) and np.isfinite(lp[3]), lp


def test_fit_reports_skipped_rows_and_checks_damping():
    pdf = gojammy.pdf("e1+i1", "g+r", seed=1)
    i = np.arange(60)
    data = np.column_stack([np.sin(i), 0.5 + 0.4 * np.cos(i)])
    data[[4, 20], 0] = np.nan
    data[[1, 2, 3], 1] = 1.5  # outside [0, 1]
    history = pdf.fit(data, epochs=2, batch_size=16, learning_rate=1e-3, seed=1)
    assert history["skipped_nan"] == [2, 2] and history["skipped_outside"] == [3, 3], history
    cond = gojammy.pdf("e1", "g", conditional_input_dim=2, seed=1)
    for bad in (1e-300, 1e300):
        with pytest.raises(ValueError, match="damping_factor"):
            cond.init_params(damping_factor=bad)
