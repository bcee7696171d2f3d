"""pytest set-up: import gojammy from the installed package, or from the source tree with the
library of `make lib` (build/libgojammy.so) when it is not installed."""

import os
import pathlib
import sys

import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]

try:
    import gojammy  # noqa: F401
except ImportError:
    sys.path.insert(0, str(ROOT / "python"))
    import gojammy  # noqa: F401

_packaged = pathlib.Path(gojammy.__file__).with_name("libgojammy.so")
if not os.environ.get("GOJAMMY_LIBRARY") and not _packaged.exists() and (ROOT / "build" / "libgojammy.so").exists():
    os.environ["GOJAMMY_LIBRARY"] = str(ROOT / "build" / "libgojammy.so")


@pytest.fixture
def rng():
    return np.random.default_rng(12345)
