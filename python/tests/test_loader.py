"""Loading the library: info(), version checks and the GOJAMMY_LIBRARY override."""

import json
import os
import subprocess
import sys

import pytest

import gojammy
from gojammy import _api, _lib


def test_info():
    info = gojammy.info()
    for key in ("version", "abi_version", "go_version", "cpu_features", "kernel_implementation", "kernels", "kernel_available", "threads", "num_cpu"):
        assert key in info
    assert info["version"] == gojammy.__version__ == info["python_package_version"]
    assert info["abi_version"] == _api.ABI_VERSION
    assert info["threads"] >= 1
    assert info["library_path"].endswith("libgojammy.so")
    assert set(info["kernels"]) == {"gemm", "vecmath", "mixture", "rqspline"}
    assert info["kernel_implementation"] in info["kernel_available"]


def test_info_reports_the_kernel_override():
    """GOJAMMY_SIMD=generic, read by the library at load time, shows in every kernel family."""
    code = "import json, gojammy; print(json.dumps(gojammy.info()))"
    env = dict(os.environ, GOJAMMY_SIMD="generic")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    info = json.loads(out.stdout)
    assert info["kernel_requested"] == "generic" and info["kernel_implementation"] == "generic"
    assert set(info["kernels"].values()) == {"generic"}


def test_set_threads_argument():
    with pytest.raises(ValueError, match="n"):
        gojammy.set_threads(-1)


def test_status_strings():
    status, text = _lib.read_string(_lib.lib().gj_status_string, _api.ERR_ARGUMENT)
    assert status == _api.OK and "GJ_ERR_ARGUMENT" in text


def run_python(code, env_overrides):
    import os

    env = dict(os.environ, **env_overrides)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=str(_lib_dir()))


def _lib_dir():
    import pathlib

    return pathlib.Path(gojammy.__file__).resolve().parents[1]


def test_missing_library_override_is_a_clear_error():
    r = run_python("import gojammy; gojammy.pdf('e2', 'gg')", {"GOJAMMY_LIBRARY": "/nonexistent/libgojammy.so"})
    assert r.returncode != 0 and "GOJAMMY_LIBRARY" in r.stderr and "no such file" in r.stderr


def test_import_does_not_load_the_library():
    r = run_python(
        "import gojammy, gojammy._lib as l; assert l._lib is None; print(gojammy.__version__)",
        {"GOJAMMY_LIBRARY": "/nonexistent/libgojammy.so"},
    )
    assert r.returncode == 0, r.stderr


def test_version_mismatch_is_refused(monkeypatch):
    monkeypatch.setattr(_lib, "__version__", "0.0.0-other")
    monkeypatch.setattr(_lib, "_lib", None)
    with pytest.raises(gojammy.GojammyError, match="0.0.0-other"):
        _lib.lib()
    monkeypatch.undo()
    assert _lib.lib() is not None


def test_abi_mismatch_is_refused(monkeypatch):
    monkeypatch.setattr(_api, "ABI_VERSION", 999)
    monkeypatch.setattr(_lib, "_lib", None)
    with pytest.raises(gojammy.GojammyError, match="ABI version"):
        _lib.lib()


def test_prototypes_cover_the_header():
    """Every gj_ function of include/gojammy.h has a ctypes prototype, and the ABI versions agree."""
    import re

    from conftest import ROOT

    header = (ROOT / "include" / "gojammy.h").read_text()
    assert set(re.findall(r"^int (gj_[a-z0-9_]+)\(", header, re.M)) == set(_api.PROTOTYPES)
    assert int(re.search(r"#define GJ_ABI_VERSION (\d+)", header).group(1)) == _api.ABI_VERSION
