"""Packaging: the wheel built by `pip install .` contains the library, is tagged for this platform,
works on its own, and the sdist carries everything needed to build it.

Builds without isolation (hatchling from the current environment, as in `make venv`); skipped
when hatchling or Go is missing."""

import os
import shutil
import subprocess
import sys
import tarfile
import zipfile

import pytest

from conftest import ROOT

pytest.importorskip("hatchling")
if not (os.environ.get("GO") or shutil.which("go")):
    pytest.skip("the Go toolchain is not installed", allow_module_level=True)


def pip(*args, cwd=ROOT):
    subprocess.run([sys.executable, "-m", "pip", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    pip("wheel", ".", "--no-deps", "--no-build-isolation", "-w", str(out))
    (path,) = out.glob("gojammy-*.whl")
    return path


def test_wheel_contents_and_tag(wheel):
    assert "-py3-none-" in wheel.name and not wheel.name.endswith("-any.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "gojammy/libgojammy.so" in names and "gojammy/__init__.py" in names
    assert not any(n.startswith(("tests/", "gojammy/tests")) or n.endswith(".h") for n in names)
    meta = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("dist-info/WHEEL"))).decode()
    assert "Root-Is-Purelib: false" in meta


def test_installed_wheel_works_on_its_own(wheel, tmp_path):
    site = tmp_path / "site"
    pip("install", "--no-deps", "--target", str(site), str(wheel))
    env = {k: v for k, v in os.environ.items() if k != "GOJAMMY_LIBRARY"}
    env["PYTHONPATH"] = str(site)
    code = (
        "import gojammy, numpy as np; p = gojammy.pdf('e2', 'gg'); "
        "assert np.isfinite(p(np.zeros((3, 2)))[0]).all(); print(gojammy.info()['library_path'])"
    )
    r = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().startswith(str(site))


def test_sdist_builds_a_wheel(tmp_path):
    subprocess.run([sys.executable, "-m", "hatchling", "build", "-t", "sdist", "-d", str(tmp_path)], cwd=ROOT, check=True, capture_output=True)
    (sdist,) = tmp_path.glob("gojammy-*.tar.gz")
    with tarfile.open(sdist) as tar:
        names = tar.getnames()
        kwargs = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
        tar.extractall(tmp_path / "src", **kwargs)
    top = names[0].split("/")[0]
    for need in ("go.mod", "go.sum", "capi/main.go", "include/gojammy.h", "hatch_build.py", "python/gojammy/__init__.py"):
        assert f"{top}/{need}" in names
    assert f"{top}/python/gojammy/libgojammy.so" not in names
    pip("wheel", str(tmp_path / "src" / top), "--no-deps", "--no-build-isolation", "-w", str(tmp_path / "whl"))
    assert list((tmp_path / "whl").glob("gojammy-*.whl"))
