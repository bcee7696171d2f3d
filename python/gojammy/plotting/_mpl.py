"""matplotlib, imported on first use: gojammy itself does not depend on it."""

import importlib

_HINT = "gojammy.plotting needs matplotlib: pip install matplotlib (or pip install 'gojammy[plot]')"


def pyplot():
    """matplotlib.pyplot, or an ImportError that says how to install matplotlib."""
    try:
        return importlib.import_module("matplotlib.pyplot")
    except ImportError as e:
        raise ImportError(f"{_HINT} ({e})") from e


def module(name):
    """The matplotlib submodule ``name`` (e.g. "path"), with the same message when missing."""
    pyplot()
    return importlib.import_module(f"matplotlib.{name}")
