"""Validation of scalar arguments, with errors that name the argument."""

import numbers
import os

import numpy as np


def require_default(name, value, default):
    """Raise NotImplementedError for an upstream argument that gojammy supports only at its default."""
    if value is default or (type(value) is type(default) and value == default):
        return
    raise NotImplementedError(f"{name}={value!r} is not supported by gojammy (only the default {default!r})")


#: upstream's coordinate names: "default" follows the PDF's embedding flags
#: (set_embedding_flags), the others force one kind of coordinates on every sub-manifold.
COORDS_NAMES = ("default", "intrinsic", "embedding")


def coords_for(force_embedding_coordinates, force_intrinsic_coordinates):
    """The coordinate name for upstream's two force_* flags."""
    if force_embedding_coordinates and force_intrinsic_coordinates:
        raise ValueError("force_embedding_coordinates and force_intrinsic_coordinates cannot both be True")
    if force_embedding_coordinates:
        return "embedding"
    if force_intrinsic_coordinates:
        return "intrinsic"
    return "default"


def coords_named(value, name):
    """``value`` if it is "default", "intrinsic" or "embedding", else a ValueError naming ``name``."""
    if isinstance(value, str) and value in COORDS_NAMES:
        return value
    raise ValueError(f"{name}: expected 'default', 'intrinsic' or 'embedding', got {value!r}")


def boolean(value, name):
    """``value`` (True/False, numpy bools, or the ints 0 and 1) as a bool, else a ValueError."""
    if isinstance(value, (bool, np.bool_)) or (is_int(value) and value in (0, 1)):
        return bool(value)
    raise ValueError(f"{name}: expected True or False, got {value!r}")


def index_or_none(value, name, count):
    """``value`` as an index in [0, count), or -1 for None; else a ValueError naming ``name``."""
    if value is None:
        return -1
    if not is_int(value) or not 0 <= value < count:
        raise ValueError(f"{name}: expected None or an int in [0, {count}), got {value!r}")
    return int(value)


def is_int(value):
    """Whether ``value`` is an integer (Python or numpy), not a bool."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def seed_for(seed):
    """A uint64 seed: the given one, or one drawn from numpy's global generator when None (so
    np.random.seed makes runs reproducible, like upstream's use of numpy's global state)."""
    if seed is None:
        return int(np.random.randint(0, 2**63 - 1, dtype=np.int64))
    if not is_int(seed):
        raise ValueError(f"seed: expected a non-negative int or None, got {seed!r}")
    if not 0 <= int(seed) < 2**64:
        raise ValueError(f"seed: must be in [0, 2**64), got {seed}")
    return int(seed)


def integer(value, name):
    """``value`` as an int of C's int range, else a ValueError naming ``name``."""
    if not is_int(value) or not -(2**31) <= value < 2**31:
        raise ValueError(f"{name}: expected an int in [-2**31, 2**31), got {value!r}")
    return int(value)


def positive_int(value, name, allow_zero=False):
    """``value`` as an int >= 1 (>= 0 with allow_zero) below 2**63, else a ValueError naming ``name``."""
    low = 0 if allow_zero else 1
    if not is_int(value) or not low <= value < 2**63:
        raise ValueError(f"{name}: expected an int in [{low}, 2**63), got {value!r}")
    return int(value)


def c_path(path, name="path"):
    """``path`` (str, bytes or os.PathLike) as bytes for the library; a NUL byte is an error (C
    would cut the path there)."""
    data = os.fsencode(os.fspath(path))
    if b"\0" in data:
        raise ValueError(f"{name}: contains a NUL byte: {path!r}")
    return data


def _real(value, name, ok, expected):
    if not isinstance(value, numbers.Real) or isinstance(value, bool) or not ok(float(value)):
        raise ValueError(f"{name}: expected {expected}, got {value!r}")
    return float(value)


def positive_number(value, name):
    """``value`` as a float > 0 (finite), else a ValueError naming ``name``."""
    return _real(value, name, lambda v: 0 < v < float("inf"), "a finite number > 0")


def non_negative_number(value, name):
    """``value`` as a float >= 0 (finite), else a ValueError naming ``name``."""
    return _real(value, name, lambda v: 0 <= v < float("inf"), "a finite number >= 0")
